import ArgumentParser
import SlipwayCore

extension ProjectCommand {
    /// `slipway project list`
    struct List: CLICommand {
        static let configuration = CommandConfiguration(abstract: "List the organization's projects.")

        @OptionGroup var options: GlobalOptions

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            try await session.list(APIClient.path("projects"), of: Project.self)
        }
    }
}
