import ArgumentParser
import SlipwayCore

extension APIKeyCommand {
    /// `slipway apikey list`
    struct List: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "List the organization's API keys (never their secrets).")

        @OptionGroup var options: GlobalOptions

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            try await session.list(APIClient.path("api-keys"), of: APIToken.self)
        }
    }
}
