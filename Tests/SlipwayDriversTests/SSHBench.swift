import Foundation
import SlipwayDrivers
import SlipwayTesting
import Testing

/// `bench/ssh`: the same short remote command, 200 times, (a) through one reused `SSHConnection` and (b)
/// through a fresh `ssh` process each time, with no master (a new TCP connection, key exchange and
/// authentication per command, as Dokploy does). Prints both wall times and the ratio; asserts nothing.
@Suite(
    "SSH bench", .tags(.bench, .sshd), .serialized,
    .enabled(if: ProcessInfo.processInfo.environment["SLIPWAY_BENCH"] == "1", "set SLIPWAY_BENCH=1 (bench/ssh)"))
struct SSHBench {
    static var count: Int { Int(ProcessInfo.processInfo.environment["SLIPWAY_BENCH_SSH_COMMANDS"] ?? "") ?? 200 }

    @Test("200 short remote commands: reused connection vs a fresh ssh process each")
    func reusedVersusFresh() async throws {
        let server = try await SSHTestServer.shared()
        let pem = server.credentials.ed25519
        let count = Self.count

        let reused = try await withConnection(server.target(.privateKey(pem: pem, passphrase: nil))) { connection in
            try await connection.connect()
            return try await Self.time {
                for _ in 0..<count {
                    let result = try await connection.run(["true"], deadline: .seconds(30))
                    guard result.exitCode == 0 else { throw BenchFailure("true exited \(result.exitCode)") }
                }
            }
        }

        let fresh = try await Self.withFreshSSH(server: server, pem: pem) { argv in
            try await Self.time {
                for _ in 0..<count {
                    let process = try LocalProcess.start(argv, environment: ProcessInfo.processInfo.environment)
                    let result = await process.collect()
                    guard result.termination.exitCode == 0 else {
                        throw BenchFailure(
                            "fresh ssh exited \(result.termination.exitCode): "
                                + String(decoding: result.stderr, as: UTF8.self))
                    }
                }
            }
        }

        func perCommand(_ duration: Duration) -> String {
            String(format: "%.1f ms/command", duration / .milliseconds(1) / Double(count))
        }
        let ratio = fresh / reused
        print("ssh bench: \(count) x `true` on sshd at 127.0.0.1:\(server.port)")
        print("ssh bench: reused connection (ControlMaster): \(Self.seconds(reused)) (\(perCommand(reused)))")
        print("ssh bench: fresh ssh process each, no master:  \(Self.seconds(fresh)) (\(perCommand(fresh)))")
        print("ssh bench: ratio fresh/reused: \(String(format: "%.1f", ratio))x (target: at least 10x)")
    }

    /// Runs `body` with the argv of a master-less `ssh ... true`, its key and known_hosts in a temporary directory.
    static func withFreshSSH<T>(server: SSHTestServer, pem: String, _ body: ([String]) async throws -> T)
        async throws -> T
    {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("slipway-bench-\(UUID())").path
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try pem.write(toFile: directory + "/key", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: directory + "/key")
        let scan = try LocalProcess.start(
            ["ssh-keyscan", "-p", String(server.port), "-t", "ed25519", "127.0.0.1"],
            environment: ProcessInfo.processInfo.environment)
        try await scan.collect().stdout.write(to: URL(fileURLWithPath: directory + "/known_hosts"))
        let argv = [
            "ssh", "-F", "/dev/null", "-T", "-i", directory + "/key", "-o", "IdentitiesOnly=yes",
            "-o", "IdentityAgent=none", "-o", "BatchMode=yes", "-o", "ControlMaster=no", "-o", "ControlPath=none",
            "-o", "UserKnownHostsFile=\(directory)/known_hosts", "-o", "StrictHostKeyChecking=yes",
            "-p", String(server.port), "-l", SSHTestServer.keyUser, "--", "127.0.0.1", "true",
        ]
        return try await body(argv)
    }

    static func time(_ work: () async throws -> Void) async throws -> Duration {
        let start = ContinuousClock.now
        try await work()
        return ContinuousClock.now - start
    }

    static func seconds(_ duration: Duration) -> String {
        String(format: "%.2f s", duration / .seconds(1))
    }

    struct BenchFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
