import ArgumentParser
import SlipwayCore

extension EnvCommand {
    /// `slipway env create --project P --name N --type T --branch B [--no-auto-deploy]`
    struct Create: CLICommand {
        static let configuration = CommandConfiguration(abstract: "Create an environment of a project.")

        @Option(help: "The project's id (prj_...).")
        var project: String

        @Option(help: "Its name, like production or staging-eu.")
        var name: String

        @Option(help: "The stage it is.")
        var type: Environment.Kind

        @Option(help: "The Git branch it deploys.")
        var branch: String

        @Flag(inversion: .prefixedNo, help: "Deploy on every push to the branch.")
        var autoDeploy = true

        @OptionGroup var options: GlobalOptions

        struct Body: Encodable {
            var name: String
            var type: Environment.Kind
            var branch: String
            var autoDeploy: Bool
        }

        func validate() throws {
            try checkArgument { try Validation.name(name, field: "--name") }
            try checkArgument { try Validation.gitRef(branch, field: "--branch") }
        }

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            try await session.create(
                APIClient.path("projects", project, "environments"),
                body: Body(name: name, type: type, branch: branch, autoDeploy: autoDeploy), as: Environment.self)
        }
    }
}
