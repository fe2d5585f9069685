import ArgumentParser
import Foundation
import SlipwayCore

extension EnvCommand {
    /// `slipway env create --project P --name N --type T --branch B [--no-auto-deploy] [--health-timeout S]
    /// [--module-update changed|listed|none] [--modules a,b]`
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

        @Option(help: "Seconds a deployment's new version has to answer its health path (5 to 3600).")
        var healthTimeout = Environment.defaultHealthCheckTimeout

        @Option(
            help:
                "Which Odoo modules a deployment updates: changed (the addons whose files changed), listed (--modules) or none."
        )
        var moduleUpdate: Environment.ModuleUpdatePolicy = .changed

        @Option(help: "The modules a listed module update updates, comma separated.")
        var modules: String?

        @OptionGroup var options: GlobalOptions

        struct Body: Encodable {
            var name: String
            var type: Environment.Kind
            var branch: String
            var autoDeploy: Bool
            var healthCheckTimeoutSeconds: Int
            var moduleUpdate: Environment.ModuleUpdatePolicy
            var moduleUpdateModules: [String]
        }

        var moduleList: [String] { EnvCommand.moduleList(modules ?? "") }

        func validate() throws {
            try checkArgument { try Validation.name(name, field: "--name") }
            try checkArgument { try Validation.gitRef(branch, field: "--branch") }
            try EnvCommand.checkDeploySettings(
                healthTimeout: healthTimeout, moduleUpdate: moduleUpdate, modules: moduleList)
        }

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            try await session.create(
                APIClient.path("projects", project, "environments"),
                body: Body(
                    name: name, type: type, branch: branch, autoDeploy: autoDeploy,
                    healthCheckTimeoutSeconds: healthTimeout, moduleUpdate: moduleUpdate,
                    moduleUpdateModules: moduleList),
                as: Environment.self)
        }
    }
}
