import ArgumentParser

extension OrgCommand {
    /// `slipway org delete ID --yes`
    struct Delete: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete an organization and everything in it.")

        @Argument(help: "The organization's id (org_...).")
        var id: String

        @Flag(help: "Confirm: the organization and all its records are gone for good.")
        var yes = false

        @OptionGroup var options: GlobalOptions

        func validate() throws {
            try requireConfirmation(yes, "deleting organization \(id) and everything in it")
        }

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            try await session.delete(
                APIClient.path("organizations", id), id: id, done: "Deleted organization \(id).")
        }
    }
}
