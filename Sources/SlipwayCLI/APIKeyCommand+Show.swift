import ArgumentParser
import SlipwayCore

extension APIKeyCommand {
    /// `slipway apikey show ID`
    struct Show: CLICommand {
        static let configuration = CommandConfiguration(abstract: "Show one API key (never its secret).")

        @Argument(help: "The key's id (key_...).")
        var id: String

        @OptionGroup var options: GlobalOptions

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            try await session.show(APIClient.path("api-keys", id), as: APIToken.self)
        }
    }
}
