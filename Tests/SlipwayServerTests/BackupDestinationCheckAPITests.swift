import Foundation
import HTTPTypes
import HummingbirdTesting
import SlipwayCore
import SlipwayServer
import SlipwayTesting
import Testing

/// `POST /api/backup-destinations/{id}/check` on a live port, against the test sshd: what each failure
/// answers (status and field), and that adding a destination never connects.
@Suite("Backup destination check through the API", .serialized)
struct BackupDestinationCheckAPITests {
    /// Adds an SFTP destination for the test sshd's key user through the API and answers its id.
    static func sftp(_ setup: BackupAPITests.Setup, name: String, port: Int, path: String, key: String)
        async throws -> String
    {
        try await create(
            setup.client, "/api/backup-destinations", token: setup.plane.ownerToken,
            body: """
                {"name":"\(name)","kind":"sftp","path":"\(path)","host":"127.0.0.1","port":\(port),\
                "username":"\(SSHTestServer.keyUser)","privateKey":\(BackupAPITests.jsonString(key))}
                """)
    }

    @Test("a good destination answers 200 with its pinned key; a refused key is 422 privateKey; no host is 503")
    func statuses() async throws {
        let sshd = try await SSHTestServer.shared()
        let path = "/home/\(SSHTestServer.keyUser)/api-check-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await BackupAPITests.live { setup in
            let (client, token) = (setup.client, setup.plane.ownerToken)
            let check = { (id: String) in "/api/backup-destinations/\(id)/check" }

            let good = try await Self.sftp(
                setup, name: "Good", port: sshd.port, path: path, key: sshd.credentials.ed25519)
            #expect(!FileManager.default.fileExists(atPath: path), "adding does not connect")
            let checked = try await send(client, .post, check(good), token: token)
            #expect(checked.status == 200, "\(checked.text)")
            #expect(checked["hostKeyFingerprint"]?.string == sshd.hostKeyFingerprint)
            try await SnapshotAPITests.expectMatches(checked, schema: "BackupDestination", client)
            #expect(try FileManager.default.contentsOfDirectory(atPath: path).isEmpty, "no probe left")

            let refused = try await Self.sftp(
                setup, name: "Refused", port: sshd.port, path: path, key: sshd.credentials.unauthorized)
            let wrongKey = try await send(client, .post, check(refused), token: token)
            #expect(wrongKey.status == 422 && wrongKey.errorField == "privateKey", "\(wrongKey.text)")
            #expect(wrongKey.errorCode == "ssh_authentication_failed", "\(wrongKey.text)")

            let nowhere = try await Self.sftp(
                setup, name: "Nowhere", port: try LoopbackSocket.freePort(), path: path, key: sshd.credentials.ed25519)
            let unreachable = try await send(client, .post, check(nowhere), token: token)
            #expect(unreachable.status == 503 && unreachable.errorField == "host", "\(unreachable.text)")
            #expect(unreachable.text.contains("cannot be reached"), "\(unreachable.text)")

            let local = try await setup.destination()
            let localChecked = try await send(client, .post, check(local), token: token)
            #expect(localChecked.status == 200, "\(localChecked.text)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: setup.directory + "/Vault").isEmpty)

            let outsider = try await setup.plane.makeTenant(slug: "outsider")
            let hidden = try await send(client, .post, check(good), token: outsider.token)
            #expect(hidden.status == 404, "\(hidden.text)")
        }
    }
}
