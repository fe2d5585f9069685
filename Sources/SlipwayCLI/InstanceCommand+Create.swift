import ArgumentParser
import SlipwayCore

extension InstanceCommand {
    /// `slipway instance create --environment ENV_ID --name N --server SERVER_ID [--port P] [--health-path /]
    /// [--image IMG] [--domain D ...] [--env KEY=VALUE ...] [--wait]`
    struct Create: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "Add an instance to an environment on an active server; its provisioning is queued.",
            discussion: """
                Provisioning makes its database on the server's database service, its filestore (Odoo) and its \
                route through the server's Caddy, then runs --image when one is given; without an image the \
                instance waits, created, for its first deployment. An Odoo project's instances listen on 8069 \
                and answer /web/health unless told otherwise; a generic app needs --port. \
                Secrets do not go here: set them with `slipway instance secret set ID NAME`.
                """,
            aliases: ["add"])

        @Option(help: ArgumentHelp("The environment's id (env_...).", valueName: "id"))
        var environment: String

        @Option(help: "Its name, like shop-web.")
        var name: String

        @Option(help: ArgumentHelp("The id of the active server it runs on (srv_...).", valueName: "id"))
        var server: String

        @Option(help: "The port the app listens on inside its container (Odoo: 8069).")
        var port: Int?

        @Option(
            help: ArgumentHelp("The path that answers 2xx when the app is up (Odoo: /web/health).", valueName: "path"))
        var healthPath: String?

        @Option(help: ArgumentHelp("The image it runs, like registry.example.com/app:1.2.", valueName: "image"))
        var image: String?

        @Option(
            name: .customLong("domain"),
            help: ArgumentHelp("A host name routed to it; repeat for more.", valueName: "host"))
        var domains: [String] = []

        @Option(
            name: .customLong("env"),
            help: ArgumentHelp(
                "An environment variable (not secret) of its containers; repeat for more.", valueName: "KEY=VALUE"))
        var variables: [String] = []

        @OptionGroup var wait: WaitOptions

        @OptionGroup var options: GlobalOptions

        struct Body: Encodable {
            var name: String
            var serverId: String
            var port: Int?
            var healthPath: String?
            var image: String?
            var domains: [String]?
            var env: [String: String]?
        }

        func validate() throws {
            try checkArgument { try Validation.name(name, field: "--name") }
            if let port { try checkArgument { try Validation.port(port, field: "--port") } }
            if let healthPath, !healthPath.hasPrefix("/") || healthPath.contains(where: \.isWhitespace) {
                throw ValidationError("--health-path must be a URL path starting with '/', like /web/health")
            }
            if let image, image.isEmpty || image.hasPrefix("-") || image.contains(where: \.isWhitespace) {
                throw ValidationError("--image must be an image reference like registry.example.com/app:1.2")
            }
            for domain in domains { try checkArgument { try Validation.host(domain, field: "--domain") } }
            _ = try Self.variables(variables)
        }

        /// `KEY=VALUE` pairs as a dictionary; a pair without `=`, a bad name or a name given twice is refused.
        static func variables(_ pairs: [String]) throws -> [String: String] {
            var variables: [String: String] = [:]
            for pair in pairs {
                guard let equals = pair.firstIndex(of: "=") else {
                    let environmentHint =
                        pair.hasPrefix("env_") ? " (the environment's id goes to --environment)" : ""
                    throw ValidationError(
                        "--env '\(pair)' is not KEY=VALUE: write it like --env LOG_LEVEL=info\(environmentHint)")
                }
                let key = String(pair[..<equals])
                let value = String(pair[pair.index(after: equals)...])
                try checkArgument { try Validation.environmentName(key, field: "--env '\(key)'") }
                try checkArgument { try Validation.environmentValue(value, field: "--env \(key)") }
                guard variables.updateValue(value, forKey: key) == nil else {
                    throw ValidationError("--env \(key) is given twice: keep one")
                }
            }
            return variables
        }

        var body: Body {
            get throws {
                let env = try Self.variables(variables)
                return Body(
                    name: name, serverId: server, port: port, healthPath: healthPath, image: image,
                    domains: domains.isEmpty ? nil : domains, env: env.isEmpty ? nil : env)
            }
        }

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let created: APIClient.Reply<Instance>
            do {
                created = try await session.client.post(
                    APIClient.path("environments", self.environment, "instances"), body: try body, as: Instance.self)
            } catch var error as CLIError where error.status == 422 && error.field == "port" && port == nil {
                error.hint = "pass --port with the port the app listens on inside its container, like --port 8080"
                throw error
            }
            let instance = created.value
            guard wait.wait else {
                if session.json { return session.printJSON(created.body) }
                session.print(instance.details.render())
                return session.note(
                    "Provisioning is queued: watch it with `slipway instance show \(instance.id)`, "
                        + "or pass --wait next time.")
            }
            if !session.json {
                session.note("Created instance \(instance.id); provisioning it on \(instance.serverId).")
            }
            let watch = InstanceWatch(session: session, instanceId: instance.id, timeout: wait.timeout)
            try watch.report(try await watch.wait(forJob: nil))
        }
    }
}
