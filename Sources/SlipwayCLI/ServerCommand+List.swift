import ArgumentParser
import SlipwayCore

extension ServerCommand {
    /// `slipway server list`
    struct List: CLICommand {
        static let configuration = CommandConfiguration(abstract: "List the organization's servers.")

        @OptionGroup var options: GlobalOptions

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            try await session.list(APIClient.path("servers"), of: Server.self)
        }
    }
}
