import Foundation
import SlipwayDrivers
import SlipwayTesting
import Testing

@Suite("SSH connection: authentication and host keys", .tags(.sshd))
struct SSHConnectionTests {
    enum Key: String, CaseIterable, Sendable {
        case ed25519, ecdsa, rsa, encryptedEd25519
    }

    static func credential(_ key: Key, _ credentials: SSHTestCredentials) -> SSHTarget.Credential {
        switch key {
        case .ed25519: .privateKey(pem: credentials.ed25519, passphrase: nil)
        case .ecdsa: .privateKey(pem: credentials.ecdsa, passphrase: nil)
        case .rsa: .privateKey(pem: credentials.rsa, passphrase: nil)
        case .encryptedEd25519: .privateKey(pem: credentials.encryptedEd25519, passphrase: credentials.passphrase)
        }
    }

    @Test("connects and runs a command with each kind of key", arguments: Key.allCases)
    func keys(key: Key) async throws {
        let server = try await SSHTestServer.shared()
        let target = server.target(Self.credential(key, server.credentials))
        let result = try await withConnection(target) { try await $0.run(["id", "-un"], deadline: .seconds(30)) }
        #expect(result.exitCode == 0)
        #expect(result.stdoutText == SSHTestServer.keyUser + "\n")
    }

    @Test("connects and runs a command with a password")
    func password() async throws {
        let server = try await SSHTestServer.shared()
        let target = server.target(.password(server.credentials.password))
        let result = try await withConnection(target) { try await $0.run(["id", "-un"], deadline: .seconds(30)) }
        #expect(result.stdoutText == SSHTestServer.passwordUser + "\n")
    }

    @Test("first contact records the host key fingerprint, and the pin is then accepted")
    func firstContact() async throws {
        let server = try await SSHTestServer.shared()
        let credential = SSHTarget.Credential.privateKey(pem: server.credentials.ed25519, passphrase: nil)
        let recorded = try await withConnection(server.target(credential)) { connection in
            #expect(await connection.hostKeyFingerprint == nil)
            return try await connection.connect()
        }
        #expect(recorded == server.hostKeyFingerprint)  // what ssh-keygen -lf prints for the host's public key
        let pinned = server.target(credential, pin: recorded)
        let result = try await withConnection(pinned) { try await $0.run(["true"], deadline: .seconds(30)) }
        #expect(result.exitCode == 0)
    }

    @Test("a changed host key is refused, showing both fingerprints, until the new one is pinned")
    func changedHostKey() async throws {
        let server = try await SSHTestServer.start(label: "rekey")
        defer { server.stop() }
        let credential = SSHTarget.Credential.privateKey(pem: server.credentials.ed25519, passphrase: nil)
        let old = server.hostKeyFingerprint
        let existing = try SSHConnection(target: server.target(credential))
        #expect(try await existing.connect() == old)

        try await server.restart(newHostKeys: true)
        let new = server.hostKeyFingerprint
        #expect(new != old)

        // A new connection pinned to the old key: refused before authentication.
        let refused = await #expect(throws: SSHError.self) {
            try await withConnection(server.target(credential, pin: old)) { try await $0.connect() }
        }
        #expect(refused == .hostKeyMismatch(expected: old, found: new))
        let message = refused?.message(server: "web-1") ?? ""
        #expect(message.contains(old) && message.contains(new))
        #expect(message.contains("slipway server trust-host-key web-1"))

        // The connection that recorded the old key: its master died with the restart; re-establishing is refused.
        let again = await #expect(throws: SSHError.self) { try await existing.run(["true"], deadline: .seconds(30)) }
        #expect(again == .hostKeyMismatch(expected: old, found: new))
        await existing.close()

        // Trusting the new key.
        let result = try await withConnection(server.target(credential, pin: new)) {
            try await $0.run(["echo", "trusted"], deadline: .seconds(30))
        }
        #expect(result.stdoutText == "trusted\n")
    }

    @Test("a key the server does not know gives authenticationFailed")
    func wrongKey() async throws {
        let server = try await SSHTestServer.shared()
        let target = server.target(.privateKey(pem: server.credentials.unauthorized, passphrase: nil))
        let error = await #expect(throws: SSHError.self) {
            try await withConnection(target) { try await $0.run(["true"], deadline: .seconds(30)) }
        }
        guard case .authenticationFailed(let detail) = error else {
            Issue.record("expected authenticationFailed, got \(String(describing: error))")
            return
        }
        #expect(detail.contains("Permission denied"))
    }

    @Test("a wrong password or passphrase gives authenticationFailed")
    func wrongPassword() async throws {
        let server = try await SSHTestServer.shared()
        for credential in [
            SSHTarget.Credential.password("not the password"),
            .privateKey(pem: server.credentials.encryptedEd25519, passphrase: "not the passphrase"),
        ] {
            let error = await #expect(throws: SSHError.self) {
                try await withConnection(server.target(credential)) { try await $0.connect() }
            }
            guard case .authenticationFailed = error else {
                Issue.record("expected authenticationFailed, got \(String(describing: error))")
                continue
            }
        }
    }

    @Test("nothing listening gives unreachable")
    func unreachable() async throws {
        let port = try LoopbackSocket.freePort()
        let target = SSHTarget(
            host: "127.0.0.1", port: port, user: SSHTestServer.keyUser, credential: .password("x"))
        let error = await #expect(throws: SSHError.self) {
            try await withConnection(target) { try await $0.connect() }
        }
        guard case .unreachable(let reason) = error else {
            Issue.record("expected unreachable, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("Connection refused"))
    }
}
