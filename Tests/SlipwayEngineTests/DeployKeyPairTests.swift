import Foundation
import SlipwayDrivers
import Testing

@testable import SlipwayEngine

/// The deploy key's files as OpenSSH itself reads them: `ssh-keygen` derives the same public key from the
/// private key file and prints the same fingerprint.
@Suite("Deploy key pairs")
struct DeployKeyPairTests {
    @Test("ssh-keygen reads the private key, derives the same public key and prints the same fingerprint")
    func opensshReadsTheKey() async throws {
        let pair = DeployKeyPair.generate(comment: "slipway-prj_test")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "slipway-deploy-key-\(UUID().uuidString.prefix(8))"
        ).path
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/key"
        // ssh-keygen refuses a private key that others may read.
        #expect(
            FileManager.default.createFile(
                atPath: file, contents: Data(pair.privateKey.utf8), attributes: [.posixPermissions: 0o600]))

        let derived = try await Self.sshKeygen(["-y", "-f", file])
        #expect(derived.trimmingCharacters(in: .newlines) == pair.publicKey)
        let listed = try await Self.sshKeygen(["-l", "-f", file])
        // "256 SHA256:... slipway-prj_test (ED25519)"
        let fields = listed.split(separator: " ").map(String.init)
        #expect(fields.count == 4, "\(listed)")
        #expect(fields.first == "256")
        #expect(fields.dropFirst().first == pair.fingerprint, "\(listed)")
        #expect(fields.dropFirst(2).first == "slipway-prj_test")
        #expect(listed.hasSuffix("(ED25519)\n"))
    }

    @Test("the files have OpenSSH's shapes: one public line, 70-character lines of base64, a final newline")
    func shapes() throws {
        let pair = DeployKeyPair.generate(comment: "slipway-prj_1\nsecond line")
        #expect(pair.publicKey.hasPrefix("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI"))
        #expect(pair.publicKey.hasSuffix(" slipway-prj_1second line"), "control characters are dropped")
        #expect(!pair.publicKey.contains("\n"))
        #expect(pair.fingerprint.hasPrefix("SHA256:"))
        #expect(pair.fingerprint.count == 7 + 43, "32 bytes of unpadded base64")
        let lines = pair.privateKey.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "-----BEGIN OPENSSH PRIVATE KEY-----")
        #expect(lines.dropLast().last == "-----END OPENSSH PRIVATE KEY-----")
        #expect(lines.last == "", "the file ends with a newline")
        let body = lines.dropFirst().dropLast(2)
        #expect(body.dropLast().allSatisfy { $0.count == 70 })
        #expect((1...70).contains(body.last?.count ?? 0))
        let container = try #require(Data(base64Encoded: body.joined()))
        #expect(container.starts(with: Data("openssh-key-v1\0".utf8)))

        let record = pair.record(projectId: "prj_1", createdAt: Date(timeIntervalSince1970: 1_700_000_000))
        #expect(record.projectId == "prj_1")
        #expect(record.publicKey == pair.publicKey)
        #expect(record.fingerprint == pair.fingerprint)
        #expect(record.createdAt == Date(timeIntervalSince1970: 1_700_000_000))
    }

    @Test("two generated keys differ")
    func keysDiffer() {
        let first = DeployKeyPair.generate(comment: "a")
        let second = DeployKeyPair.generate(comment: "a")
        #expect(first.publicKey != second.publicKey)
        #expect(first.fingerprint != second.fingerprint)
        #expect(first.privateKey != second.privateKey)
    }

    static func sshKeygen(_ arguments: [String]) async throws -> String {
        let process = try LocalProcess.start(
            ["ssh-keygen"] + arguments, environment: ProcessInfo.processInfo.environment)
        let result = await process.collect()
        let stderr = String(decoding: result.stderr, as: UTF8.self)
        try #require(result.termination.exitCode == 0, "ssh-keygen \(arguments): \(stderr)")
        return String(decoding: result.stdout, as: UTF8.self)
    }
}
