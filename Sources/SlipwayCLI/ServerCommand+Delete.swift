import ArgumentParser

extension ServerCommand {
    /// `slipway server delete ID --yes`
    struct Delete: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "delete", abstract: "Remove a server from the control plane.", aliases: ["remove"])

        @Argument(help: "The server's id (srv_...).")
        var id: String

        @Flag(help: "Confirm: the server and its stored credential are removed for good.")
        var yes = false

        @OptionGroup var options: GlobalOptions

        func validate() throws {
            try requireConfirmation(yes, "removing server \(id)")
        }

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            try await session.delete(APIClient.path("servers", id), id: id, done: "Removed server \(id).")
        }
    }
}
