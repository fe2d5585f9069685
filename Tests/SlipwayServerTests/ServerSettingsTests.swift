import Foundation
import HummingbirdTesting
import SlipwayCore
import SlipwayServer
import SlipwayTesting
import Testing

/// A server's engine settings (Docker socket, registry, proxy admin and proxy HTTP ports), its key's
/// passphrase, and removing it together with its instance records.
@Suite("Server settings and removal")
struct ServerSettingsTests {
    static let key = """
        -----BEGIN OPENSSH PRIVATE KEY-----
        b3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0AAAAGAAAABCx
        -----END OPENSSH PRIVATE KEY-----

        """

    static func body(_ fields: [String: JSONValue]) throws -> String {
        var object: [String: JSONValue] = ["name": "web1", "host": "web1.example.test", "user": "deploy"]
        object.merge(fields) { $1 }
        return String(decoding: try JSONEncoder().encode(JSONValue.object(object)), as: UTF8.self)
    }

    @Test("a key's passphrase is sealed with the secret box and never answered")
    func passphraseSealed() async throws {
        try await TestControlPlane.with { plane in
            try await plane.test { client in
                let passphrase = "open sesame, said the key 'n' $(quotes)"
                let reply = try await send(
                    client, .post, "/api/servers", token: plane.ownerToken,
                    body: try Self.body(["privateKey": .string(Self.key), "passphrase": .string(passphrase)]))
                try #require(reply.status == 201, "\(reply.text)")
                #expect(reply["authMethod"]?.string == "privateKey")
                #expect(reply["passphrase"] == nil)
                let id = try #require(reply["id"]?.string)
                let read = try await send(client, .get, "/api/servers/\(id)", token: plane.ownerToken)
                let list = try await send(client, .get, "/api/servers", token: plane.ownerToken)
                for text in [reply.text, read.text, list.text] {
                    #expect(!text.contains(passphrase) && !text.contains("sesame"))
                }
                let sealed = try #require(
                    try await plane.store.encryptedPassphrase(organizationId: plane.organization.id, serverId: id))
                #expect(!sealed.contains("sesame"))
                #expect(try plane.backend.secrets.open(sealed) == passphrase)
                let credential = try #require(
                    try await plane.store.encryptedCredential(organizationId: plane.organization.id, serverId: id))
                #expect(try plane.backend.secrets.open(credential) == Self.key)
                let database = try Data(contentsOf: URL(fileURLWithPath: plane.testStore.directory + "/slipway.sqlite"))
                let wal =
                    (try? Data(contentsOf: URL(fileURLWithPath: plane.testStore.directory + "/slipway.sqlite-wal")))
                    ?? Data()
                #expect(database.range(of: Data("sesame".utf8)) == nil)
                #expect(wal.range(of: Data("sesame".utf8)) == nil)

                // A key without a passphrase stores none.
                let plain = try await create(
                    client, "/api/servers", token: plane.ownerToken,
                    body: try Self.body(["name": "web2", "privateKey": .string(Self.key)]))
                #expect(
                    try await plane.store.encryptedPassphrase(organizationId: plane.organization.id, serverId: plain)
                        == nil)
            }
        }
    }

    @Test("the Docker socket, registry, proxy admin and proxy HTTP ports have their defaults and round-trip")
    func settingsRoundTrip() async throws {
        try await TestControlPlane.with { plane in
            try await plane.test { client in
                let plain = try await send(
                    client, .post, "/api/servers", token: plane.ownerToken, body: try Self.body(["password": "pw"]))
                try #require(plain.status == 201, "\(plain.text)")
                #expect(plain["dockerSocketPath"]?.string == "/var/run/docker.sock")
                #expect(plain["registryPort"]?.int == 5000)
                #expect(plain["proxyAdminPort"]?.int == 2019)
                #expect(plain["proxyHTTPPort"]?.int == 80)

                let custom = try await create(
                    client, "/api/servers", token: plane.ownerToken,
                    body: try Self.body([
                        "name": "rootless", "password": "pw", "dockerSocketPath": "/run/user/1000/docker.sock",
                        "registryPort": 5050, "proxyAdminPort": 12019, "proxyHTTPPort": 8080,
                    ]))
                let read = try await send(client, .get, "/api/servers/\(custom)", token: plane.ownerToken)
                #expect(read["dockerSocketPath"]?.string == "/run/user/1000/docker.sock")
                #expect(read["registryPort"]?.int == 5050)
                #expect(read["proxyAdminPort"]?.int == 12019)
                #expect(read["proxyHTTPPort"]?.int == 8080)
                let stored = try #require(
                    try await plane.store.server(organizationId: plane.organization.id, id: custom))
                #expect(stored.dockerSocketPath == "/run/user/1000/docker.sock")
                #expect(stored.registryPort == 5050 && stored.proxyAdminPort == 12019 && stored.proxyHTTPPort == 8080)

                // The server `local` of the first start has the defaults too.
                let local = try await send(client, .get, "/api/servers", token: plane.ownerToken).items
                    .first { $0["name"]?.string == "local" }
                #expect(local?["dockerSocketPath"]?.string == Server.defaultDockerSocketPath)
                #expect(local?["registryPort"]?.int == Server.defaultRegistryPort)
                #expect(local?["proxyHTTPPort"]?.int == Server.defaultProxyHTTPPort)
            }
        }
    }

    struct Case: Sendable, CustomStringConvertible {
        var fields: [String: JSONValue]
        var field: String
        var description: String { "\(fields) -> \(field)" }
    }

    static let badCases: [Case] = [
        Case(fields: ["password": "pw", "passphrase": "secret"], field: "passphrase"),
        Case(fields: ["passphrase": "secret"], field: "privateKey"),
        Case(fields: ["privateKey": .string(key), "passphrase": "two\nlines"], field: "passphrase"),
        Case(fields: ["privateKey": .string(key), "passphrase": "nul\u{0}inside"], field: "passphrase"),
        Case(fields: ["privateKey": .string(key), "passphrase": ""], field: "passphrase"),
        Case(
            fields: ["privateKey": .string(key), "passphrase": .string(String(repeating: "p", count: 1025))],
            field: "passphrase"),
        Case(fields: ["password": "pw", "dockerSocketPath": "var/run/docker.sock"], field: "dockerSocketPath"),
        Case(fields: ["password": "pw", "dockerSocketPath": "/var/run/docker sock"], field: "dockerSocketPath"),
        Case(fields: ["password": "pw", "dockerSocketPath": "/var/run/docker.sock\n"], field: "dockerSocketPath"),
        Case(fields: ["password": "pw", "dockerSocketPath": "/var/run:/x.sock"], field: "dockerSocketPath"),
        Case(fields: ["password": "pw", "dockerSocketPath": "/var/run/\u{0}.sock"], field: "dockerSocketPath"),
        Case(fields: ["password": "pw", "dockerSocketPath": "/"], field: "dockerSocketPath"),
        Case(
            fields: ["password": "pw", "dockerSocketPath": .string("/" + String(repeating: "d", count: 200))],
            field: "dockerSocketPath"),
        Case(fields: ["password": "pw", "dockerSocketPath": 5], field: "dockerSocketPath"),
        Case(fields: ["password": "pw", "registryPort": 0], field: "registryPort"),
        Case(fields: ["password": "pw", "registryPort": 65536], field: "registryPort"),
        Case(fields: ["password": "pw", "registryPort": "5000"], field: "registryPort"),
        Case(fields: ["password": "pw", "proxyAdminPort": -1], field: "proxyAdminPort"),
        Case(fields: ["password": "pw", "proxyAdminPort": 70000], field: "proxyAdminPort"),
        Case(fields: ["password": "pw", "proxyHTTPPort": 0], field: "proxyHTTPPort"),
        Case(fields: ["password": "pw", "proxyHTTPPort": 65536], field: "proxyHTTPPort"),
        Case(fields: ["password": "pw", "proxyHTTPPort": "80"], field: "proxyHTTPPort"),
        Case(fields: ["password": "pw", "proxyHTTPPort": 2019], field: "proxyHTTPPort"),
        Case(fields: ["password": "pw", "registryPort": 8080, "proxyHTTPPort": 8080], field: "proxyHTTPPort"),
    ]

    @Test("bad settings and misplaced passphrases get 422 naming the field, and write nothing", arguments: badCases)
    func badSettings(_ badCase: Case) async throws {
        try await TestControlPlane.with { plane in
            try await plane.test { client in
                let reply = try await send(
                    client, .post, "/api/servers", token: plane.ownerToken, body: try Self.body(badCase.fields))
                #expect(reply.status == 422, "\(reply.text)")
                #expect(reply.errorField == badCase.field, "\(reply.text)")
                #expect(try await plane.store.servers(organizationId: plane.organization.id).map(\.name) == ["local"])
            }
        }
    }

    @Test(
        "a server with instances is refused with 409; force removes it with their records, in one go",
        arguments: StoreKind.allCases)
    func forcedRemoval(kind: StoreKind) async throws {
        try await TestControlPlane.with(kind) { plane in
            let owner = plane.ownerToken
            let organizationId = plane.organization.id
            let outsider = try await plane.makeTenant(slug: "outsider")
            let outsiderKey = try await plane.makeAPIKey(in: outsider.organization, permissions: Permission.all)
            try await plane.test { client in
                let serverId = try await create(
                    client, "/api/servers", token: owner, body: try Self.body(["password": "pw"]))
                try await markActive(plane, serverId: serverId)
                let otherServerId = try await create(
                    client, "/api/servers", token: owner, body: try Self.body(["name": "web2", "password": "pw"]))
                try await markActive(plane, serverId: otherServerId)
                let projectId = try await create(
                    client, "/api/projects", token: owner,
                    body: #"{"name":"Shop","repoUrl":"https://h.test/a.git","kind":"odoo"}"#)
                let environmentId = try await create(
                    client, "/api/projects/\(projectId)/environments", token: owner,
                    body: #"{"name":"Production","type":"production","branch":"main"}"#)
                let web = try await create(
                    client, "/api/environments/\(environmentId)/instances", token: owner,
                    body: #"{"name":"shop-web","serverId":"\#(serverId)"}"#)
                let worker = try await create(
                    client, "/api/environments/\(environmentId)/instances", token: owner,
                    body: #"{"name":"shop-worker","serverId":"\#(serverId)"}"#)
                let elsewhere = try await create(
                    client, "/api/environments/\(environmentId)/instances", token: owner,
                    body: #"{"name":"shop-other","serverId":"\#(otherServerId)"}"#)
                let snapshot = Snapshot(
                    organizationId: organizationId, environmentId: environmentId, instanceId: web, kind: .manual)
                try await plane.store.createSnapshot(snapshot)
                let deployment = Deployment(
                    organizationId: organizationId, projectId: projectId, environmentId: environmentId,
                    instanceId: web, triggerType: .manual)
                try await plane.store.createDeployment(deployment)

                let refused = try await send(client, .delete, "/api/servers/\(serverId)", token: owner)
                #expect(refused.status == 409)
                #expect(refused.errorCode == "server_in_use")
                let message = refused["error"]?["message"]?.string ?? ""
                #expect(message.contains("shop-web") && message.contains("shop-worker"), "\(message)")
                let notForced = try await send(client, .delete, "/api/servers/\(serverId)?force=false", token: owner)
                #expect(notForced.status == 409)
                let garbled = try await send(client, .delete, "/api/servers/\(serverId)?force=yes", token: owner)
                #expect(garbled.status == 422)
                #expect(garbled.errorField == "force")

                // Another organization cannot reach it, forced or not.
                let outside = try await send(
                    client, .delete, "/api/servers/\(serverId)?force=true", token: outsiderKey)
                #expect(outside.status == 404)
                #expect(try await plane.store.instance(organizationId: organizationId, id: web) != nil)

                let forced = try await send(client, .delete, "/api/servers/\(serverId)?force=true", token: owner)
                #expect(forced.status == 204, "\(forced.text)")
                #expect(try await send(client, .get, "/api/servers/\(serverId)", token: owner).status == 404)
                for gone in [web, worker] {
                    #expect(try await send(client, .get, "/api/instances/\(gone)", token: owner).status == 404)
                    #expect(try await plane.store.instance(organizationId: organizationId, id: gone) == nil)
                }
                #expect(try await plane.store.snapshot(organizationId: organizationId, id: snapshot.id) == nil)
                // What does not live on the server stays: the other instance, the environment, the history.
                let instances = try await plane.store.instances(
                    organizationId: organizationId, environmentId: environmentId)
                #expect(instances.map(\.id) == [elsewhere])
                let kept = try await plane.store.deployment(organizationId: organizationId, id: deployment.id)
                #expect(kept != nil && kept?.instanceId == nil)
                #expect(try await send(client, .get, "/api/servers/\(otherServerId)", token: owner).status == 200)
                #expect(try await send(client, .get, "/api/environments/\(environmentId)", token: owner).status == 200)
                #expect(
                    try await plane.store.encryptedCredential(organizationId: organizationId, serverId: serverId)
                        == nil)

                // Forced or not, a server that is not there is a 404.
                let again = try await send(client, .delete, "/api/servers/\(serverId)?force=true", token: owner)
                #expect(again.status == 404)
            }
        }
    }

    @Test("the OpenAPI document declares the new fields and the force parameter")
    func documented() async throws {
        try await TestControlPlane.with { plane in
            try await plane.test { client in
                let document = try await send(client, .get, "/api/openapi.json")
                let server = document["components"]?["schemas"]?["Server"]
                guard case .array(let required)? = server?["required"] else {
                    Issue.record("the Server schema has no required list")
                    return
                }
                for field in ["dockerSocketPath", "registryPort", "proxyAdminPort", "proxyHTTPPort"] {
                    #expect(required.contains(.string(field)), "\(field) should be required")
                }
                #expect(server?["properties"]?["passphrase"] == nil)
                let create = document["paths"]?["/api/servers"]?["post"]?["requestBody"]?["content"]?[
                    "application/json"]?["schema"]?["properties"]
                for field in ["passphrase", "dockerSocketPath", "registryPort", "proxyAdminPort", "proxyHTTPPort"] {
                    #expect(create?[field] != nil, "POST /api/servers should take \(field)")
                }
                guard
                    case .array(let parameters)? = document["paths"]?["/api/servers/{serverId}"]?["delete"]?[
                        "parameters"]
                else {
                    Issue.record("DELETE /api/servers/{serverId} has no parameters")
                    return
                }
                let force = parameters.first { $0["name"]?.string == "force" }
                #expect(force?["in"]?.string == "query")
                #expect(force?["schema"]?["type"]?.string == "boolean")
            }
        }
    }
}
