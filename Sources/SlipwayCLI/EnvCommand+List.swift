import ArgumentParser
import SlipwayCore

extension EnvCommand {
    /// `slipway env list --project P`
    struct List: CLICommand {
        static let configuration = CommandConfiguration(abstract: "List a project's environments.")

        @Option(help: "The project's id (prj_...).")
        var project: String

        @OptionGroup var options: GlobalOptions

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            try await session.list(APIClient.path("projects", project, "environments"), of: Environment.self)
        }
    }
}
