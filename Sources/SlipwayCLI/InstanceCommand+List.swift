import ArgumentParser
import SlipwayCore

extension InstanceCommand {
    /// `slipway instance list --environment ENV_ID`
    struct List: CLICommand {
        static let configuration = CommandConfiguration(abstract: "List an environment's instances.")

        @Option(
            name: [.customLong("environment"), .customLong("env")],
            help: ArgumentHelp("The environment's id (env_...).", valueName: "id"))
        var environment: String

        @OptionGroup var options: GlobalOptions

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            try await session.list(APIClient.path("environments", self.environment, "instances"), of: Instance.self)
        }
    }
}
