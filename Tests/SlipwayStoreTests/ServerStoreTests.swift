import Foundation
import SlipwayCore
import SlipwayStore
import SlipwayTesting
import Testing

/// Servers in the store: their engine settings, sealed secrets and removal, on both engines.
@Suite("Store: servers", .tags(.postgres))
struct ServerStoreTests {
    @Test("the passphrase is kept apart from the credential, and only when there is one", arguments: StoreKind.allCases)
    func passphrase(kind: StoreKind) async throws {
        try await TestStore.with(kind) { store in
            let fixture = try await Fixture.make(store)
            let organizationId = fixture.organization.id
            let server = Server(
                organizationId: organizationId, name: "web2", host: "10.0.0.6", user: "deploy",
                authMethod: .privateKey)
            try await store.createServer(server, encryptedCredential: "v1:key", encryptedPassphrase: "v1:phrase")
            #expect(
                try await store.encryptedCredential(organizationId: organizationId, serverId: server.id) == "v1:key")
            #expect(
                try await store.encryptedPassphrase(organizationId: organizationId, serverId: server.id) == "v1:phrase")
            #expect(
                try await store.encryptedPassphrase(organizationId: organizationId, serverId: fixture.server.id) == nil)
            let outsider = Organization(name: "Other", slug: "other-\(UUID().uuidString.prefix(6).lowercased())")
            try await store.createOrganization(outsider, ownerId: fixture.user.id)
            #expect(try await store.encryptedPassphrase(organizationId: outsider.id, serverId: server.id) == nil)
        }
    }

    @Test(
        "the Docker socket and the two loopback ports are stored, updated, and default", arguments: StoreKind.allCases)
    func settings(kind: StoreKind) async throws {
        try await TestStore.with(kind) { store in
            let fixture = try await Fixture.make(store)
            let organizationId = fixture.organization.id
            var server = Server(
                organizationId: organizationId, name: "rootless", host: "10.0.0.7", user: "deploy",
                authMethod: .password, dockerSocketPath: "/run/user/1000/docker.sock", registryPort: 5050,
                proxyAdminPort: 12019)
            try await store.createServer(server, encryptedCredential: "v1:pw")
            var stored = try #require(try await store.server(organizationId: organizationId, id: server.id))
            #expect(stored.dockerSocketPath == "/run/user/1000/docker.sock")
            #expect(stored.registryPort == 5050 && stored.proxyAdminPort == 12019)

            server.dockerSocketPath = "/var/run/docker.sock"
            server.registryPort = 5001
            server.proxyAdminPort = 2020
            stored = try #require(try await store.updateServer(server))
            #expect(stored.dockerSocketPath == "/var/run/docker.sock")
            #expect(stored.registryPort == 5001 && stored.proxyAdminPort == 2020)

            // A row written without the columns (as before migration 7) reads with the defaults.
            try await store.databaseForTesting.write { connection in
                try await connection.execute(
                    """
                    INSERT INTO servers (id, organization_id, name, host, port, ssh_user, auth_method, status,
                        created_at, updated_at)
                    VALUES ('srv_old', ?, 'old', '10.0.0.8', 22, 'root', 'password', 'pending', 0, 0)
                    """, .text(organizationId))
            }
            let old = try #require(try await store.server(organizationId: organizationId, id: "srv_old"))
            #expect(old.dockerSocketPath == Server.defaultDockerSocketPath)
            #expect(old.registryPort == Server.defaultRegistryPort)
            #expect(old.proxyAdminPort == Server.defaultProxyAdminPort)
            #expect(try await store.encryptedPassphrase(organizationId: organizationId, serverId: "srv_old") == nil)
        }
    }

    @Test(
        "forced removal takes the server's instance records with it; unforced removal refuses",
        arguments: StoreKind.allCases)
    func forcedRemoval(kind: StoreKind) async throws {
        try await TestStore.with(kind) { store in
            let fixture = try await Fixture.make(store)
            let organizationId = fixture.organization.id
            await #expect(throws: SlipwayError.self) {
                try await store.deleteServer(organizationId: organizationId, id: fixture.server.id)
            }
            #expect(try await store.instance(organizationId: organizationId, id: fixture.instance.id) != nil)

            let outsider = Organization(name: "Other", slug: "other-\(UUID().uuidString.prefix(6).lowercased())")
            try await store.createOrganization(outsider, ownerId: fixture.user.id)
            #expect(try await !store.deleteServer(organizationId: outsider.id, id: fixture.server.id, force: true))
            #expect(try await store.instance(organizationId: organizationId, id: fixture.instance.id) != nil)

            #expect(try await store.deleteServer(organizationId: organizationId, id: fixture.server.id, force: true))
            #expect(try await store.server(organizationId: organizationId, id: fixture.server.id) == nil)
            #expect(try await store.instance(organizationId: organizationId, id: fixture.instance.id) == nil)
            #expect(try await store.environment(organizationId: organizationId, id: fixture.environment.id) != nil)
        }
    }
}
