import Foundation
import HummingbirdTesting
import SlipwayCore
import SlipwayServer
import SlipwayStore
import SlipwayTesting
import Testing

@Suite("Authentication and roles")
struct AuthTests {
    @Test("first start makes an owner whose token works, writes it 0600, and never runs again")
    func firstStart() async throws {
        let testStore = try await TestStore.make(.sqlite)
        let first = try #require(
            try await FirstStart.runIfNeeded(store: testStore.store, dataDirectory: testStore.directory))
        let attributes = try FileManager.default.attributesOfItem(atPath: first.tokenFile)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let written = try String(contentsOfFile: first.tokenFile, encoding: .utf8).trimmingCharacters(
            in: .whitespacesAndNewlines)
        #expect(written == first.token)
        #expect(try await FirstStart.runIfNeeded(store: testStore.store, dataDirectory: testStore.directory) == nil)
        let stored = try await testStore.store.token(secretHash: TokenSecret.hash(first.token))
        #expect(stored?.kind == .personal)
        // The secret itself is nowhere in the database file.
        let database = try Data(contentsOf: URL(fileURLWithPath: testStore.directory + "/slipway.sqlite"))
        #expect(database.range(of: Data(first.token.utf8)) == nil)
        await testStore.remove()
    }

    @Test("a personal token acts in the org named by X-Org-Slug, and only in the user's orgs")
    func orgHeader() async throws {
        try await TestControlPlane.with { plane in
            let other = try await plane.makeTenant(slug: "second-org")
            try await plane.test { client in
                let me = try await send(client, .get, "/api/me", token: plane.ownerToken)
                #expect(me["organization"]?["slug"]?.string == "default")
                let created = try await send(
                    client, .post, "/api/organizations", token: plane.ownerToken,
                    body: #"{"name":"Agency","slug":"agency"}"#)
                #expect(created.status == 201)
                let switched = try await send(client, .get, "/api/me", token: plane.ownerToken, org: "agency")
                #expect(switched["organization"]?["slug"]?.string == "agency")
                #expect(switched["role"]?.string == "owner")
                let foreign = try await send(
                    client, .get, "/api/me", token: plane.ownerToken, org: other.organization.slug)
                #expect(foreign.status == 404)
                let list = try await send(client, .get, "/api/organizations", token: plane.ownerToken)
                #expect(Set(list.items.compactMap { $0["slug"]?.string }) == ["default", "agency"])
            }
        }
    }

    @Test("API keys: shown once, limited to their permissions, refused once revoked or expired")
    func apiKeys() async throws {
        try await TestControlPlane.with { plane in
            try await plane.test { client in
                let created = try await send(
                    client, .post, "/api/api-keys", token: plane.ownerToken,
                    body: #"{"name":"read only","role":"viewer"}"#)
                #expect(created.status == 201)
                let secret = try #require(created["token"]?.string)
                #expect(secret.hasPrefix("slw_"))
                let keyId = try #require(created["id"]?.string)
                let listed = try await send(client, .get, "/api/api-keys", token: plane.ownerToken)
                #expect(listed.items.map { $0["id"]?.string } == [keyId])
                #expect(!listed.text.contains(secret))
                #expect(listed.items.first?["token"] == nil)

                #expect(try await send(client, .get, "/api/projects", token: secret).status == 200)
                let refused = try await send(
                    client, .post, "/api/projects", token: secret,
                    body: #"{"name":"x1","repoUrl":"https://h.test/a.git","kind":"generic"}"#)
                #expect(refused.status == 403)
                #expect(try await plane.store.projects(organizationId: plane.organization.id).isEmpty)

                #expect(
                    try await send(client, .delete, "/api/api-keys/\(keyId)", token: plane.ownerToken).status == 204)
                let revoked = try await send(client, .get, "/api/projects", token: secret)
                #expect(revoked.status == 401)
                #expect(revoked.text.contains("revoked"))

                let expired = try await plane.makeAPIKey(
                    in: plane.organization, permissions: [.view(.projects)], expiresAt: Date().addingTimeInterval(-1))
                let late = try await send(client, .get, "/api/projects", token: expired)
                #expect(late.status == 401)
                #expect(late.text.contains("expired"))

                let past = try await send(
                    client, .post, "/api/api-keys", token: plane.ownerToken,
                    body: #"{"name":"old","permissions":["view:projects"],"expiresAt":"2001-01-01T00:00:00Z"}"#)
                #expect(past.status == 422)
                #expect(past.errorField == "expiresAt")
            }
        }
    }

    @Test("nobody hands out more than they hold, and the last owner stays")
    func escalationAndLastOwner() async throws {
        try await TestControlPlane.with { plane in
            let developer = try await plane.makeMember(of: plane.organization, role: "developer")
            let admin = try await plane.makeMember(of: plane.organization, role: "admin")
            try await plane.test { client in
                let grab = try await send(
                    client, .post, "/api/api-keys", token: developer.token,
                    body: #"{"name":"grab","permissions":["manage:servers"]}"#)
                #expect(grab.status == 403, "a developer made a key: \(grab.text)")
                let adminKey = try await send(
                    client, .post, "/api/api-keys", token: admin.token, body: #"{"name":"ok","role":"developer"}"#)
                #expect(adminKey.status == 201)
                let me = try await send(client, .get, "/api/me", token: plane.ownerToken)
                let ownerId = try #require(me["user"]?["id"]?.string)
                let demote = try await send(
                    client, .patch, "/api/members/\(ownerId)", token: plane.ownerToken, body: #"{"role":"admin"}"#)
                #expect(demote.status == 409)
                #expect(demote.errorCode == "last_owner")
                let remove = try await send(client, .delete, "/api/members/\(ownerId)", token: plane.ownerToken)
                #expect(remove.status == 409)
                let crown = try await send(
                    client, .patch, "/api/members/\(admin.user.id)", token: admin.token, body: #"{"role":"owner"}"#)
                #expect(crown.status == 403)
                let promote = try await send(
                    client, .patch, "/api/members/\(developer.user.id)", token: plane.ownerToken,
                    body: #"{"role":"owner"}"#)
                #expect(promote.status == 200)
                #expect(
                    try await send(
                        client, .patch, "/api/members/\(ownerId)", token: plane.ownerToken, body: #"{"role":"viewer"}"#
                    ).status == 200)
                let viewerNow = try await send(
                    client, .post, "/api/servers", token: plane.ownerToken,
                    body: #"{"name":"s1","host":"h","user":"u","password":"p"}"#)
                #expect(viewerNow.status == 403)
            }
        }
    }

    @Test("custom roles grant exactly their permissions")
    func customRole() async throws {
        try await TestControlPlane.with { plane in
            try await plane.test { client in
                let roleId = try await create(
                    client, "/api/roles", token: plane.ownerToken,
                    body: #"{"name":"Server keepers","permissions":["manage:servers"]}"#)
                let member = try await plane.makeMember(of: plane.organization, role: roleId)
                let server = try await send(
                    client, .post, "/api/servers", token: member.token,
                    body: #"{"name":"s1","host":"h1.example.test","user":"root","password":"pw"}"#)
                #expect(server.status == 201)
                #expect(try await send(client, .get, "/api/servers", token: member.token).status == 200)
                #expect(try await send(client, .get, "/api/projects", token: member.token).status == 403)
                let inUse = try await send(client, .delete, "/api/roles/\(roleId)", token: plane.ownerToken)
                #expect(inUse.status == 409)
            }
        }
    }
}
