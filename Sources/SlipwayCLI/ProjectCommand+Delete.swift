import ArgumentParser

extension ProjectCommand {
    /// `slipway project delete ID --yes`
    struct Delete: CLICommand {
        static let configuration = CommandConfiguration(abstract: "Delete a project and its environments.")

        @Argument(help: "The project's id (prj_...).")
        var id: String

        @Flag(help: "Confirm: the project is gone for good.")
        var yes = false

        @OptionGroup var options: GlobalOptions

        func validate() throws {
            try requireConfirmation(yes, "deleting project \(id)")
        }

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            try await session.delete(APIClient.path("projects", id), id: id, done: "Deleted project \(id).")
        }
    }
}
