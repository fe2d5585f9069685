import Foundation
import SlipwayCore

/// Server records. The private key or password, and the key's passphrase, are sealed with the
/// secret key before they are stored and are never answered back.
enum ServerRoutes {
    struct Create: Decodable {
        var name: String
        var host: String
        var port: Int?
        var user: String
        var privateKey: String?
        var passphrase: String?
        var password: String?
        var allowDockerInstall: Bool?
        var dockerSocketPath: String?
        var registryPort: Int?
        var proxyAdminPort: Int?
        var proxyHTTPPort: Int?
        static let schema = Schema.object(
            properties: [
                "name": Schemas.name, "host": .string(minLength: 1, maxLength: 253), "port": Schemas.port,
                "user": .string(minLength: 1, maxLength: 32), "privateKey": .string(minLength: 1, maxLength: 16384),
                "passphrase": .string(minLength: 1, maxLength: 1024),
                "password": .string(minLength: 1, maxLength: 1024), "allowDockerInstall": .boolean,
                "dockerSocketPath": Schemas.dockerSocketPath, "registryPort": Schemas.port,
                "proxyAdminPort": Schemas.port, "proxyHTTPPort": Schemas.port,
            ], required: ["name", "host", "user"])
    }

    static let all: [APIRoute] = [
        APIRoute(
            .post, "/api/servers", access: .permission(.manage(.servers)),
            summary: "Register a server (SSH key or password)",
            resource: "servers", body: Create.schema, status: .created, response: .reference("Server")
        ) { call in
            let caller = try call.caller
            let input = try call.decode(Create.self)
            try Validation.name(input.name)
            try Validation.host(input.host)
            try Validation.sshUser(input.user)
            let port = input.port ?? 22
            try Validation.port(port)
            let method: Server.AuthMethod
            let credential: String
            switch (input.privateKey, input.password) {
            case (let key?, nil):
                guard key.contains("-----BEGIN"), key.contains("PRIVATE KEY-----") else {
                    throw SlipwayError.invalid(
                        "privateKey", "must be a PEM or OpenSSH private key ('-----BEGIN ... PRIVATE KEY-----')")
                }
                (method, credential) = (.privateKey, key)
            case (nil, let password?):
                (method, credential) = (.password, password)
            case (nil, nil):
                throw SlipwayError.invalid("privateKey", "give a privateKey or a password")
            case (.some, .some):
                throw SlipwayError.invalid("password", "give a privateKey or a password, not both")
            }
            if let passphrase = input.passphrase {
                guard method == .privateKey else {
                    throw SlipwayError.invalid("passphrase", "is the private key's passphrase: give it with privateKey")
                }
                try Validation.passphrase(passphrase)
            }
            let dockerSocketPath = input.dockerSocketPath ?? Server.defaultDockerSocketPath
            try Validation.dockerSocketPath(dockerSocketPath)
            let registryPort = input.registryPort ?? Server.defaultRegistryPort
            try Validation.port(registryPort, field: "registryPort")
            let proxyAdminPort = input.proxyAdminPort ?? Server.defaultProxyAdminPort
            try Validation.port(proxyAdminPort, field: "proxyAdminPort")
            let proxyHTTPPort = input.proxyHTTPPort ?? Server.defaultProxyHTTPPort
            try Validation.port(proxyHTTPPort, field: "proxyHTTPPort")
            // Caddy serves the instances on the HTTP port of the same host the admin API and the registry listen on.
            guard proxyHTTPPort != proxyAdminPort, proxyHTTPPort != registryPort else {
                throw SlipwayError.invalid("proxyHTTPPort", "must differ from registryPort and proxyAdminPort")
            }
            let now = call.backend.clock()
            let server = Server(
                organizationId: caller.organization.id, name: input.name, host: input.host, port: port,
                user: input.user, authMethod: method, allowDockerInstall: input.allowDockerInstall ?? false,
                dockerSocketPath: dockerSocketPath, registryPort: registryPort, proxyAdminPort: proxyAdminPort,
                proxyHTTPPort: proxyHTTPPort, createdAt: now, updatedAt: now)
            let secrets = call.backend.secrets
            try await call.store.createServer(
                server, encryptedCredential: try secrets.seal(credential),
                encryptedPassphrase: try input.passphrase.map(secrets.seal))
            return .json(server)
        },
        APIRoute(
            .get, "/api/servers", access: .permission(.view(.servers)), summary: "The organization's servers",
            resource: "servers",
            response: Schemas.list("Server")
        ) { call in
            .json(ItemList(try await call.store.servers(organizationId: try call.caller.organization.id)))
        },
        APIRoute(
            .get, "/api/servers/{serverId}", access: .permission(.view(.servers)), summary: "One server",
            resource: "servers",
            response: .reference("Server")
        ) { call in
            guard
                let server = try await call.store.server(
                    organizationId: try call.caller.organization.id, id: try call.parameter("serverId"))
            else { throw SlipwayError.notFound("server") }
            return .json(server)
        },
        APIRoute(
            .delete, "/api/servers/{serverId}", access: .permission(.manage(.servers)),
            summary: "Forget a server with no instances (or, with force, together with its instance records)",
            resource: "servers",
            query: [
                .init(
                    name: "force", schema: .boolean,
                    description:
                        "true: also forget the instances recorded on the server, in the same transaction. Nothing is "
                        + "stopped or removed on the machine itself (default false: refused with 409 server_in_use)")
            ], status: .noContent, response: nil
        ) { call in
            guard
                try await call.store.deleteServer(
                    organizationId: try call.caller.organization.id, id: try call.parameter("serverId"),
                    force: try call.queryBool("force", default: false))
            else { throw SlipwayError.notFound("server") }
            return .empty
        },
    ]
}
