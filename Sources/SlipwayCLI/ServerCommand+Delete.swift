import ArgumentParser

extension ServerCommand {
    /// `slipway server delete ID --yes [--force]`
    struct Delete: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "delete", abstract: "Remove a server from the control plane.",
            discussion: """
                A server with instances on it is refused; --force forgets their records along with it. \
                Neither stops anything on the machine: its containers keep running until you remove them there.
                """,
            aliases: ["remove"])

        @Argument(help: "The server's id (srv_...).")
        var id: String

        @Flag(help: "Confirm: the server and its stored credential are removed for good.")
        var yes = false

        @Flag(help: "Also forget the records of the instances on it (nothing is stopped on the machine).")
        var force = false

        @OptionGroup var options: GlobalOptions

        func validate() throws {
            try requireConfirmation(yes, "removing server \(id)")
        }

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let path = APIClient.path("servers", id) + (force ? "?force=true" : "")
            let done =
                force
                ? "Removed server \(id) and the records of its instances; nothing was stopped on the machine."
                : "Removed server \(id)."
            do {
                try await session.delete(path, id: id, done: done)
            } catch var error as CLIError where error.code == "server_in_use" {
                error.hint =
                    "remove those instances first, or pass --force to forget their records with the server "
                    + "(nothing is stopped on the machine)"
                throw error
            }
        }
    }
}
