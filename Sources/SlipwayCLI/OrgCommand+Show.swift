import ArgumentParser
import SlipwayCore

extension OrgCommand {
    /// `slipway org show ID`
    struct Show: CLICommand {
        static let configuration = CommandConfiguration(abstract: "Show one organization.")

        @Argument(help: "The organization's id (org_...).")
        var id: String

        @OptionGroup var options: GlobalOptions

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            try await session.show(APIClient.path("organizations", id), as: Organization.self)
        }
    }
}
