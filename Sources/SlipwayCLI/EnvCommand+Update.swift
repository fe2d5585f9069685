import ArgumentParser
import SlipwayCore

extension EnvCommand {
    /// `slipway env update --env ENV [--name N] [--branch B] [--auto-deploy | --no-auto-deploy]
    /// [--health-timeout S] [--module-update changed|listed|none] [--modules a,b]`
    struct Update: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "Change an environment's name, branch, auto-deploy or deploy settings.",
            discussion: """
                Only what is given changes; everything else keeps its value. A listed module update given \
                without --modules updates the modules already listed.
                """)

        @OptionGroup var environment: EnvironmentOption

        @Option(help: "Its new name, like production or staging-eu.")
        var name: String?

        @Option(help: "The Git branch it deploys.")
        var branch: String?

        @Flag(inversion: .prefixedNo, help: "Deploy on every push to the branch, or not.")
        var autoDeploy: Bool?

        @Option(help: "Seconds a deployment's new version has to answer its health path (5 to 3600).")
        var healthTimeout: Int?

        @Option(
            help:
                "Which Odoo modules a deployment updates: changed (the addons whose files changed), listed (--modules) or none."
        )
        var moduleUpdate: Environment.ModuleUpdatePolicy?

        @Option(help: "The modules a listed module update updates, comma separated (replaces the list).")
        var modules: String?

        @OptionGroup var options: GlobalOptions

        /// The fields to change; the ones left nil are not sent.
        struct Body: Encodable, Equatable {
            var name: String?
            var branch: String?
            var autoDeploy: Bool?
            var healthCheckTimeoutSeconds: Int?
            var moduleUpdate: Environment.ModuleUpdatePolicy?
            var moduleUpdateModules: [String]?
        }

        var body: Body {
            Body(
                name: name, branch: branch, autoDeploy: autoDeploy, healthCheckTimeoutSeconds: healthTimeout,
                moduleUpdate: moduleUpdate, moduleUpdateModules: modules.map(EnvCommand.moduleList))
        }

        func validate() throws {
            guard body != Body() else {
                throw ValidationError(
                    "give at least one of --name, --branch, --auto-deploy (or --no-auto-deploy), --health-timeout, "
                        + "--module-update and --modules")
            }
            if let name { try checkArgument { try Validation.name(name, field: "--name") } }
            if let branch { try checkArgument { try Validation.gitRef(branch, field: "--branch") } }
            try EnvCommand.checkDeploySettings(
                healthTimeout: healthTimeout, moduleUpdate: moduleUpdate, modules: body.moduleUpdateModules)
        }

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let reply = try await session.client.patch(
                APIClient.path("environments", self.environment.environment), body: body, as: Environment.self)
            try await Show.present(reply, session)
        }
    }
}
