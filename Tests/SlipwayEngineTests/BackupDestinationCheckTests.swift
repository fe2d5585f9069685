import Crypto
import Foundation
import SlipwayCore
import SlipwayEngine
import SlipwayStore
import SlipwayTesting
import Testing

/// `BackupOperations.check` against the test sshd's key user: a destination proven usable when it is
/// added, and one that is not refused naming what to fix, instead of a failed backup hours later.
@Suite("Backup destination check", .serialized)
struct BackupDestinationCheckTests {
    static let secrets = SecretBox(key: SymmetricKey(size: .bits256))
    static let home = "/home/\(SSHTestServer.keyUser)"

    /// Backup operations on a fresh SQLite store with one organization. No Docker: a check only connects.
    static func withOperations(_ body: (BackupOperations, any Store, Organization) async throws -> Void)
        async throws
    {
        try await TestStore.with(.sqlite, label: "backup-check") { store in
            let organization = try await JobQueueTests.organization(store)
            let instances = InstanceOperations(store: store, secrets: secrets, ssh: SSHServerConnector())
            try await body(BackupOperations(snapshots: SnapshotOperations(instances: instances)), store, organization)
        }
    }

    /// An SFTP destination for the key user, stored with `key` sealed.
    static func sftp(
        _ store: any Store, _ organization: Organization, port: Int, path: String, key: String
    ) async throws -> BackupDestination {
        let destination = BackupDestination(
            organizationId: organization.id, name: "offsite-\(UUID().uuidString.prefix(6))", kind: .sftp,
            path: path, host: "127.0.0.1", port: port, username: SSHTestServer.keyUser, hasPrivateKey: true)
        try await store.createBackupDestination(
            destination, encryptedPrivateKey: try secrets.seal(key), encryptedPassphrase: nil)
        return destination
    }

    /// What `check` threw, as the API would answer it.
    static func failure(_ work: () async throws -> BackupDestination) async -> SlipwayError? {
        do {
            _ = try await work()
            return nil
        } catch {
            return error as? SlipwayError
        }
    }

    /// The names in `path` (read on the SFTP host's own disk, not through Slipway); nil when it is missing.
    static func contents(_ path: String) -> [String]? {
        try? FileManager.default.contentsOfDirectory(atPath: path)
    }

    @Test("a good SFTP destination checks fine, pins the host key, and leaves no probe behind")
    func good() async throws {
        let sshd = try await SSHTestServer.shared()
        let path = "\(Self.home)/check-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await Self.withOperations { operations, store, organization in
            let destination = try await Self.sftp(
                store, organization, port: sshd.port, path: path, key: sshd.credentials.ed25519)
            #expect(destination.hostKeyFingerprint == nil)

            let checked = try await operations.check(destination)
            #expect(checked.id == destination.id)
            #expect(checked.hostKeyFingerprint == sshd.hostKeyFingerprint)
            let stored = try await store.backupDestination(organizationId: organization.id, id: destination.id)
            #expect(stored?.hostKeyFingerprint == sshd.hostKeyFingerprint)
            #expect(Self.contents(path) == [], "the directory is made, and the probe is gone from it")

            // Again, now against the pinned key.
            let again = try await operations.check(checked)
            #expect(again.hostKeyFingerprint == sshd.hostKeyFingerprint)
            #expect(Self.contents(path) == [])
        }
    }

    @Test("a local destination checks fine and leaves no probe behind")
    func local() async throws {
        let path = NSTemporaryDirectory() + "slipway-check-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await Self.withOperations { operations, store, organization in
            let destination = BackupDestination(
                organizationId: organization.id, name: "local", kind: .local, path: path)
            try await store.createBackupDestination(destination, encryptedPrivateKey: nil, encryptedPassphrase: nil)
            let checked = try await operations.check(destination)
            #expect(checked.id == destination.id && checked.hostKeyFingerprint == nil)
            #expect(Self.contents(path) == [])
        }
    }

    @Test("a directory the SSH user cannot write fails naming the path, and nothing is written there")
    func unwritable() async throws {
        let sshd = try await SSHTestServer.shared()
        // Root's, 0755, in the user's home: the user may look but not write.
        let path = "\(Self.home)/locked-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
        defer { try? FileManager.default.removeItem(atPath: path) }
        try #require(geteuid() == 0, "the test sshd needs root, so the directory is root's")
        try await Self.withOperations { operations, store, organization in
            let destination = try await Self.sftp(
                store, organization, port: sshd.port, path: path, key: sshd.credentials.ed25519)
            let error = try #require(await Self.failure { try await operations.check(destination) })
            #expect(error.kind == .invalid && error.field == "path", "\(error)")
            #expect(error.code == "sftp_permission_denied", "\(error)")
            #expect(error.message.contains(path) && error.message.contains("writable"), "\(error.message)")
            #expect(Self.contents(path) == [])
        }
    }

    @Test("a key the host refuses fails naming the key, and pins nothing")
    func wrongKey() async throws {
        let sshd = try await SSHTestServer.shared()
        try await Self.withOperations { operations, store, organization in
            let destination = try await Self.sftp(
                store, organization, port: sshd.port, path: "\(Self.home)/never",
                key: sshd.credentials.unauthorized)
            let error = try #require(await Self.failure { try await operations.check(destination) })
            #expect(error.kind == .invalid && error.field == "privateKey", "\(error)")
            #expect(error.code == "ssh_authentication_failed", "\(error)")
            #expect(error.message.contains("refused the key") && error.message.contains("authorized_keys"))
            let stored = try await store.backupDestination(organizationId: organization.id, id: destination.id)
            #expect(stored?.hostKeyFingerprint == nil)
            #expect(!FileManager.default.fileExists(atPath: "\(Self.home)/never"))
        }
    }

    @Test("a host nothing listens on is unavailable, naming the host")
    func unreachable() async throws {
        let port = try LoopbackSocket.freePort()
        try await Self.withOperations { operations, store, organization in
            let destination = try await Self.sftp(
                store, organization, port: port, path: "/srv/backups",
                key: try await SSHTestServer.shared().credentials.ed25519)
            let error = try #require(await Self.failure { try await operations.check(destination) })
            #expect(error.kind == .unavailable && error.field == "host", "\(error)")
            #expect(error.message.contains("127.0.0.1:\(port)") && error.message.contains("cannot be reached"))
        }
    }
}
