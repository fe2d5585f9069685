import ArgumentParser
import SlipwayCore

extension OrgCommand {
    /// `slipway org list`
    struct List: CLICommand {
        static let configuration = CommandConfiguration(abstract: "List the organizations you belong to.")

        @OptionGroup var options: GlobalOptions

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            try await session.list(APIClient.path("organizations"), of: Organization.self)
        }
    }
}
