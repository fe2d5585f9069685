import Crypto
import Foundation
import Logging
import SlipwayCore
import SlipwayEngine
import SlipwayStore
import SlipwayTesting
import Testing

/// Verification and health checks against a real sshd on loopback.
@Suite("Server verification over SSH", .serialized)
struct SSHVerificationTests {
    static let secrets = SecretBox(key: SymmetricKey(size: .bits256))

    static func register(_ store: any Store, _ sshd: SSHTestServer, key: String, pin: String? = nil) async throws
        -> Server
    {
        let organization = try await JobQueueTests.organization(store)
        let server = Server(
            organizationId: organization.id, name: "ssh-\(sshd.port)", host: "127.0.0.1", port: sshd.port,
            user: SSHTestServer.keyUser,
            authMethod: .privateKey, hostKeyFingerprint: pin)
        try await store.createServer(server, encryptedCredential: try secrets.seal(key))
        return server
    }

    static func verify(_ store: any Store, _ server: Server, _ connector: SSHServerConnector) async throws -> Server {
        let verifier = ServerVerifier(store: store, secrets: secrets, ssh: connector)
        try await verifier.run(Job(organizationId: server.organizationId, kind: .serverVerify, subjectId: server.id))
        return try #require(try await store.server(organizationId: server.organizationId, id: server.id))
    }

    @Test("first contact pins the host key and reads the facts; a changed key is refused until trusted")
    func pinAndMismatch() async throws {
        let sshd = try await SSHTestServer.start(label: "verify")
        defer { sshd.stop() }
        let connector = SSHServerConnector()
        try await TestStore.with(.sqlite, label: "ssh") { store in
            let server = try await Self.register(store, sshd, key: sshd.credentials.ed25519)
            let first = try await Self.verify(store, server, connector)
            #expect(first.hostKeyFingerprint == sshd.hostKeyFingerprint)
            #expect(first.facts?.cpus == ProcessInfo.processInfo.activeProcessorCount)
            #expect(first.provisioningSteps.first { $0.name == .facts }?.status == .completed)

            let oldFingerprint = sshd.hostKeyFingerprint
            try await sshd.restart(newHostKeys: true)
            let refused = try await Self.verify(store, first, connector)
            #expect(refused.status == .error)
            #expect(refused.statusReason?.contains(oldFingerprint) == true)
            #expect(refused.statusReason?.contains(sshd.hostKeyFingerprint) == true)
            #expect(refused.statusReason?.contains("trust-host-key") == true)
            #expect(refused.hostKeyFingerprint == oldFingerprint)
            #expect(refused.provisioningSteps.first { $0.name == .facts }?.status == .skipped)

            var trusted = refused
            trusted.hostKeyFingerprint = sshd.hostKeyFingerprint
            _ = try await store.updateServer(trusted)
            let again = try await Self.verify(store, trusted, connector)
            #expect(again.provisioningSteps.first { $0.name == .facts }?.status == .completed)
            #expect(again.hostKeyFingerprint == sshd.hostKeyFingerprint)
        }
        await connector.closeAll()
    }

    @Test("two servers verify at once, each through its own connection")
    func twoServers() async throws {
        let first = try await SSHTestServer.shared()
        let second = try await SSHTestServer.start(label: "second")
        defer { second.stop() }
        let connector = SSHServerConnector()
        try await TestStore.with(.sqlite, label: "ssh") { store in
            let servers = [
                try await Self.register(store, first, key: first.credentials.ed25519),
                try await Self.register(store, second, key: second.credentials.rsa),
            ]
            let verified = try await withThrowingTaskGroup(of: Server.self) { group in
                for server in servers {
                    group.addTask { try await Self.verify(store, server, connector) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(verified.count == 2)
            for server in verified {
                #expect(server.facts != nil, "\(server.statusReason ?? "")")
                let sshd = server.port == first.port ? first : second
                #expect(server.hostKeyFingerprint == sshd.hostKeyFingerprint)
            }
        }
        await connector.closeAll()
    }

    @Test("a key the server refuses puts the server in error with the reason")
    func wrongKey() async throws {
        let sshd = try await SSHTestServer.shared()
        let connector = SSHServerConnector()
        try await TestStore.with(.sqlite, label: "ssh") { store in
            let server = try await Self.register(store, sshd, key: sshd.credentials.unauthorized)
            let refused = try await Self.verify(store, server, connector)
            #expect(refused.status == .error)
            #expect(refused.statusReason?.contains("refused the credential") == true)
            #expect(refused.provisioningSteps.first?.status == .failed)
        }
        await connector.closeAll()
    }

    @Test("an encrypted key opens with its stored passphrase; a wrong passphrase is an error with the reason")
    func encryptedKey() async throws {
        let sshd = try await SSHTestServer.shared()
        let connector = SSHServerConnector()
        try await TestStore.with(.sqlite, label: "ssh") { store in
            let organization = try await JobQueueTests.organization(store)
            for (passphrase, opens) in [(sshd.credentials.passphrase, true), ("not the passphrase", false)] {
                let server = Server(
                    organizationId: organization.id, name: "encrypted-\(opens)", host: "127.0.0.1", port: sshd.port,
                    user: SSHTestServer.keyUser, authMethod: .privateKey)
                try await store.createServer(
                    server, encryptedCredential: try Self.secrets.seal(sshd.credentials.encryptedEd25519),
                    encryptedPassphrase: try Self.secrets.seal(passphrase))
                let verified = try await Self.verify(store, server, connector)
                let connect = verified.provisioningSteps.first { $0.name == .connect }
                if opens {
                    #expect(connect?.status == .completed, "\(verified.statusReason ?? "")")
                    #expect(verified.hostKeyFingerprint == sshd.hostKeyFingerprint)
                } else {
                    #expect(verified.status == .error)
                    #expect(
                        verified.statusReason?.contains("the key's passphrase") == true,
                        "\(verified.statusReason ?? "")")
                }
            }
        }
        await connector.closeAll()
    }

    @Test("a server that stops answering turns unreachable at the next health check, and active when it is back")
    func healthCheck() async throws {
        let sshd = try await SSHTestServer.start(label: "health")
        defer { sshd.stop() }
        let connector = SSHServerConnector()
        try await TestStore.with(.sqlite, label: "ssh") { store in
            let server = try await Self.register(store, sshd, key: sshd.credentials.ed25519)
            var verified = try await Self.verify(store, server, connector)
            // Docker may not run here; the health check only cares that the server was reached once.
            verified.status = .active
            _ = try await store.updateServer(verified)
            let check = ServerHealthCheck(
                store: store, secrets: Self.secrets, ssh: connector, interval: .seconds(1), timeout: .seconds(10),
                logger: Logger(label: "test"))
            await check.checkAll()
            #expect(try await store.server(organizationId: server.organizationId, id: server.id)?.status == .active)

            sshd.stop()
            await connector.closeAll()
            let started = ContinuousClock.now
            await check.checkAll()
            let down = try #require(try await store.server(organizationId: server.organizationId, id: server.id))
            #expect(down.status == .unreachable, "\(down.statusReason ?? "")")
            #expect(ContinuousClock.now - started < .seconds(20), "the bound is the check's 10 s timeout plus slack")

            try await sshd.restart(newHostKeys: false)
            await check.checkAll()
            #expect(try await store.server(organizationId: server.organizationId, id: server.id)?.status == .active)
        }
        await connector.closeAll()
    }
}
