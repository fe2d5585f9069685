import ArgumentParser
import SlipwayCore

extension EnvCommand {
    /// `slipway env show ID`
    struct Show: CLICommand {
        static let configuration = CommandConfiguration(abstract: "Show one environment.")

        @Argument(help: "The environment's id (env_...).")
        var id: String

        @OptionGroup var options: GlobalOptions

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            try await session.show(APIClient.path("environments", id), as: Environment.self)
        }
    }
}
