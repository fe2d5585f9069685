import Foundation
import HummingbirdTesting
import SlipwayCore
import SlipwayServer
import SlipwayTesting
import Testing

@Suite("Validation and bad input")
struct ValidationTests {
    struct Case: Sendable, CustomStringConvertible {
        var path: String
        var body: String
        var status: Int
        var field: String?
        var description: String { "\(path) \(body)" }
    }

    static let cases: [Case] = [
        Case(path: "/api/organizations", body: #"{"name":"Acme","slug":"AB"}"#, status: 422, field: "slug"),
        Case(path: "/api/organizations", body: #"{"name":"Acme","slug":"has space"}"#, status: 422, field: "slug"),
        Case(
            path: "/api/organizations", body: #"{"name":"Acme","slug":"\#(String(repeating: "a", count: 51))"}"#,
            status: 422, field: "slug"),
        Case(path: "/api/organizations", body: #"{"name":"A","slug":"acme"}"#, status: 422, field: "name"),
        Case(path: "/api/organizations", body: #"{"name":"Acme"}"#, status: 422, field: "slug"),
        Case(
            path: "/api/organizations", body: #"{"name":"Acme","slug":"acme","plan":"gold"}"#, status: 422,
            field: "plan"),
        Case(path: "/api/organizations", body: #"{"name":42,"slug":"acme"}"#, status: 422, field: "name"),
        Case(path: "/api/organizations", body: #"{"name":"Acme","#, status: 400, field: nil),
        Case(path: "/api/organizations", body: #"["Acme"]"#, status: 400, field: nil),
        Case(
            path: "/api/servers", body: #"{"name":"web","host":"h.test","user":"root","password":"x","port":0}"#,
            status: 422, field: "port"),
        Case(
            path: "/api/servers", body: #"{"name":"web","host":"h.test","user":"root","password":"x","port":70000}"#,
            status: 422, field: "port"),
        Case(
            path: "/api/servers", body: #"{"name":"web","host":"h.test; rm -rf /","user":"root","password":"x"}"#,
            status: 422, field: "host"),
        Case(
            path: "/api/servers", body: #"{"name":"web","host":"h.test","user":"-oProxyCommand=x","password":"x"}"#,
            status: 422, field: "user"),
        Case(
            path: "/api/servers", body: #"{"name":"web","host":"h.test","user":"root"}"#, status: 422,
            field: "privateKey"),
        Case(
            path: "/api/servers", body: #"{"name":"web","host":"h.test","user":"root","privateKey":"not a key"}"#,
            status: 422, field: "privateKey"),
        Case(
            path: "/api/projects", body: #"{"name":"Shop","repoUrl":"https://h.test/a.git","kind":"rails"}"#,
            status: 422, field: "kind"),
        Case(
            path: "/api/projects", body: #"{"name":"Shop","repoUrl":"--upload-pack=touch /tmp/x","kind":"odoo"}"#,
            status: 422, field: "repoUrl"),
        Case(
            path: "/api/api-keys", body: #"{"name":"ci","permissions":["fly:rockets"]}"#, status: 422,
            field: "permissions[0]"),
        Case(path: "/api/api-keys", body: #"{"name":"ci"}"#, status: 422, field: "role"),
        Case(path: "/api/api-keys", body: #"{"name":"ci","role":"emperor"}"#, status: 422, field: "role"),
    ]

    @Test("bad bodies get 4xx naming the field, and write nothing", arguments: cases)
    func badBodies(_ badCase: Case) async throws {
        try await TestControlPlane.with { plane in
            try await plane.test { client in
                let reply = try await send(client, .post, badCase.path, token: plane.ownerToken, body: badCase.body)
                #expect(reply.status == badCase.status, "\(reply.text)")
                #expect(reply.errorField == badCase.field, "\(reply.text)")
                #expect(reply["error"]?["message"]?.string?.isEmpty == false)
                #expect(
                    try await plane.store.organizations(
                        userId: try #require(
                            try await send(client, .get, "/api/me", token: plane.ownerToken)["user"]?["id"]?.string)
                    ).count == 1)
                #expect(try await plane.store.servers(organizationId: plane.organization.id).map(\.name) == ["local"])
                #expect(try await plane.store.projects(organizationId: plane.organization.id).isEmpty)
                #expect(try await plane.store.apiKeys(organizationId: plane.organization.id).isEmpty)
            }
        }
    }

    @Test("paging parameters are checked")
    func paging() async throws {
        try await TestControlPlane.with { plane in
            try await plane.test { client in
                let projectId = try await create(
                    client, "/api/projects", token: plane.ownerToken,
                    body: #"{"name":"Shop","repoUrl":"https://h.test/a.git","kind":"generic"}"#)
                for (query, field) in [
                    ("limit=0", "limit"), ("limit=101", "limit"), ("limit=ten", "limit"), ("offset=-1", "offset"),
                ] {
                    let reply = try await send(
                        client, .get, "/api/projects/\(projectId)/deployments?\(query)", token: plane.ownerToken)
                    #expect(reply.status == 422)
                    #expect(reply.errorField == field)
                }
                let page = try await send(
                    client, .get, "/api/projects/\(projectId)/deployments?limit=5&offset=0", token: plane.ownerToken)
                #expect(page.status == 200)
                #expect(page["total"]?.int == 0)
                #expect(page["limit"]?.int == 5)
            }
        }
    }

    @Test("a duplicate name is a 409 naming the field")
    func conflicts() async throws {
        try await TestControlPlane.with { plane in
            try await plane.test { client in
                let body = #"{"name":"Shop","repoUrl":"https://h.test/a.git","kind":"generic"}"#
                _ = try await create(client, "/api/projects", token: plane.ownerToken, body: body)
                let again = try await send(client, .post, "/api/projects", token: plane.ownerToken, body: body)
                #expect(again.status == 409)
                #expect(again.errorField == "name")
                let slug = try await send(
                    client, .post, "/api/organizations", token: plane.ownerToken,
                    body: #"{"name":"Dup","slug":"default"}"#)
                #expect(slug.status == 409)
                #expect(slug.errorField == "slug")

                let serverId = try await create(
                    client, "/api/servers", token: plane.ownerToken,
                    body: #"{"name":"web1","host":"web1.example.test","user":"u","password":"p"}"#)
                try await markActive(plane, serverId: serverId)
                let projectId = try await create(
                    client, "/api/projects", token: plane.ownerToken,
                    body: #"{"name":"Other","repoUrl":"https://h.test/b.git","kind":"odoo"}"#)
                let environmentId = try await create(
                    client, "/api/projects/\(projectId)/environments", token: plane.ownerToken,
                    body: #"{"name":"Production","type":"production","branch":"main"}"#)
                _ = try await create(
                    client, "/api/environments/\(environmentId)/instances", token: plane.ownerToken,
                    body: #"{"name":"shop-web","serverId":"\#(serverId)"}"#)
                let inUse = try await send(client, .delete, "/api/servers/\(serverId)", token: plane.ownerToken)
                #expect(inUse.status == 409)
                #expect(inUse["error"]?["message"]?.string?.contains("shop-web") == true)
                #expect(try await send(client, .get, "/api/servers/\(serverId)", token: plane.ownerToken).status == 200)
            }
        }
    }

    @Test("server credentials are sealed at rest and never answered")
    func secrets() async throws {
        try await TestControlPlane.with { plane in
            try await plane.test { client in
                let password = "correct horse battery staple"
                let reply = try await send(
                    client, .post, "/api/servers", token: plane.ownerToken,
                    body:
                        #"{"name":"db1","host":"db1.example.test","port":2222,"user":"deploy","password":"\#(password)"}"#
                )
                #expect(reply.status == 201)
                #expect(!reply.text.contains(password))
                #expect(reply["authMethod"]?.string == "password")
                let id = try #require(reply["id"]?.string)
                let read = try await send(client, .get, "/api/servers/\(id)", token: plane.ownerToken)
                #expect(!read.text.contains(password))
                let sealed = try #require(
                    try await plane.store.encryptedCredential(organizationId: plane.organization.id, serverId: id))
                #expect(!sealed.contains(password))
                #expect(try plane.backend.secrets.open(sealed) == password)
                let database = try Data(contentsOf: URL(fileURLWithPath: plane.testStore.directory + "/slipway.sqlite"))
                let wal =
                    (try? Data(contentsOf: URL(fileURLWithPath: plane.testStore.directory + "/slipway.sqlite-wal")))
                    ?? Data()
                #expect(database.range(of: Data(password.utf8)) == nil)
                #expect(wal.range(of: Data(password.utf8)) == nil)
            }
        }
    }
}
