import ArgumentParser
import SlipwayCore

extension ProjectCommand {
    /// `slipway project show ID`
    struct Show: CLICommand {
        static let configuration = CommandConfiguration(abstract: "Show one project.")

        @Argument(help: "The project's id (prj_...).")
        var id: String

        @OptionGroup var options: GlobalOptions

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            try await session.show(APIClient.path("projects", id), as: Project.self)
        }
    }
}
