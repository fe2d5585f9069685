import ArgumentParser

extension EnvCommand {
    /// `slipway env delete ID --yes`
    struct Delete: CLICommand {
        static let configuration = CommandConfiguration(abstract: "Delete an environment.")

        @Argument(help: "The environment's id (env_...).")
        var id: String

        @Flag(help: "Confirm: the environment is gone for good.")
        var yes = false

        @OptionGroup var options: GlobalOptions

        func validate() throws {
            try requireConfirmation(yes, "deleting environment \(id)")
        }

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            try await session.delete(APIClient.path("environments", id), id: id, done: "Deleted environment \(id).")
        }
    }
}
