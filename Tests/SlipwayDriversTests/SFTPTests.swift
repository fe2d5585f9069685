import Crypto
import Foundation
import SlipwayDrivers
import SlipwayTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("SFTP over the SSH transport", .tags(.sshd))
struct SFTPTests {
    /// Runs `body` with a session on `server` (the shared one by default) and a fresh directory in the
    /// test user's home, removed afterwards.
    static func withSFTP<T: Sendable>(
        server: SSHTestServer? = nil, maxSessions: Int = 8, requestTimeout: Duration = .seconds(60),
        _ body: (SSHConnection, SFTPSession, String) async throws -> T
    ) async throws -> T {
        let server = if let server { server } else { try await SSHTestServer.shared() }
        let target = server.target(.privateKey(pem: server.credentials.ed25519, passphrase: nil))
        return try await withConnection(target, maxSessions: maxSessions) { connection in
            let session = try await connection.sftp(requestTimeout: requestTimeout)
            let directory = "slipway-sftp-test-\(UUID().uuidString)"
            do {
                try await session.makeDirectories(directory)
                let value = try await body(connection, session, directory)
                await session.close()
                _ = try? await connection.run(["rm", "-rf", "--", directory], deadline: .seconds(30))
                return value
            } catch {
                await session.close()
                _ = try? await connection.run(["rm", "-rf", "--", directory], deadline: .seconds(30))
                throw error
            }
        }
    }

    static func randomBytes(_ count: Int) -> Data {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: count)
        for index in stride(from: 0, to: count, by: 8) {
            withUnsafeBytes(of: generator.next()) { word in
                for offset in 0..<min(8, count - index) { bytes[index + offset] = word[offset] }
            }
        }
        return Data(bytes)
    }

    static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    static func readAll(_ session: SFTPSession, _ path: String) async throws -> Data {
        var content = Data()
        try await session.read(path) { content.append($0) }
        return content
    }

    /// The entries of `directory` on the server, as `find -print0` gives them (no shell, exact bytes).
    static func remoteEntries(_ directory: String, on connection: SSHConnection) async throws -> [String] {
        let result = try await connection.run(
            ["find", directory, "-mindepth", "1", "-printf", "%P\\0"], deadline: .seconds(30))
        #expect(result.exitCode == 0, "\(result.stderrText)")
        return result.stdout.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }.sorted()
    }

    @Test("a few MB of random bytes written in uneven pieces read back identical (sha256 here and on the server)")
    func roundTrip() async throws {
        try await Self.withSFTP { connection, session, directory in
            let content = Self.randomBytes(3 * 1024 * 1024 + 12_345)
            let path = directory + "/backup.bin"
            let pieces = [1, 7, 32_768, 32_769, 100_000, 1_000_000, 65_535]
            try await session.write(path) { file in
                var start = 0
                var index = 0
                while start < content.count {
                    let end = min(start + pieces[index % pieces.count], content.count)
                    try await file.write(content[start..<end])
                    start = end
                    index += 1
                }
            }
            #expect(try await session.size(path) == content.count)

            var chunks: [Int] = []
            var back = Data()
            try await session.read(path) { chunk in
                chunks.append(chunk.count)
                back.append(chunk)
            }
            #expect(Self.sha256(back) == Self.sha256(content))
            #expect(back == content)
            #expect(chunks.allSatisfy { $0 <= SFTPSession.chunkSize })

            let remote = try await connection.run(["sha256sum", path], deadline: .seconds(30))
            #expect(remote.stdoutText.hasPrefix(Self.sha256(content) + " "))
            let mode = try await connection.run(["stat", "-c", "%a", path], deadline: .seconds(30))
            #expect(mode.stdoutText == "600\n")

            // Writing again truncates: the file is exactly the new content.
            try await session.write(path) { try await $0.write(Data("short".utf8)) }
            #expect(try await Self.readAll(session, path) == Data("short".utf8))
            // And an empty file reads as nothing.
            try await session.write(directory + "/empty") { _ in }
            #expect(try await Self.readAll(session, directory + "/empty").isEmpty)
            #expect(try await session.size(directory + "/empty") == 0)
        }
    }

    @Test("makeDirectories nests and is idempotent; list, rename (replacing), remove, removeDirectory")
    func filesAndDirectories() async throws {
        try await Self.withSFTP { connection, session, directory in
            let nested = directory + "/a/b/c"
            try await session.makeDirectories(nested)
            try await session.makeDirectories(nested)
            try await session.makeDirectories(directory + "/a/b/c/")
            let mode = try await connection.run(["stat", "-c", "%a", directory + "/a/b"], deadline: .seconds(30))
            #expect(mode.stdoutText == "700\n")
            #expect(try await session.list(directory + "/a") == ["b"])
            #expect(try await session.list(nested).isEmpty)

            try await session.write(nested + "/one") { try await $0.write(Data("1".utf8)) }
            try await session.write(nested + "/two") { try await $0.write(Data("22".utf8)) }
            #expect(try await session.list(nested).sorted() == ["one", "two"])

            let inTheWay = await #expect(throws: SFTPError.self) {
                try await session.makeDirectories(nested + "/one/deeper")
            }
            #expect(inTheWay?.kind == .notADirectory)
            #expect(inTheWay?.path == nested + "/one")

            try await session.rename(nested + "/one", to: nested + "/three")
            #expect(try await session.list(nested).sorted() == ["three", "two"])
            // posix-rename@openssh.com: the finished file takes the place of the old one.
            try await session.rename(nested + "/three", to: nested + "/two")
            #expect(try await session.list(nested) == ["two"])
            #expect(try await session.size(nested + "/two") == 1)

            let notEmpty = await #expect(throws: SFTPError.self) {
                try await session.removeDirectory(directory + "/a")
            }
            #expect(notEmpty?.kind == .failure)
            #expect(notEmpty?.operation == .removeDirectory)

            try await session.remove(nested + "/two")
            #expect(try await session.size(nested + "/two") == nil)
            for path in [nested, directory + "/a/b", directory + "/a"] { try await session.removeDirectory(path) }
            #expect(try await session.list(directory).isEmpty)
            #expect(try await Self.remoteEntries(directory, on: connection).isEmpty)

            // An absolute path works the same.
            let home = try await connection.run(["pwd"], deadline: .seconds(30)).stdoutText
            let absolute = home.trimmingCharacters(in: .newlines) + "/" + directory + "/x/y"
            try await session.makeDirectories(absolute)
            #expect(try await Self.remoteEntries(directory, on: connection) == ["x", "x/y"])
        }
    }

    @Test("a missing file or directory gives a typed error naming the operation and the path")
    func missing() async throws {
        try await Self.withSFTP { (_, session, directory) async throws in
            let path = directory + "/no-such-file"
            let read = await #expect(throws: SFTPError.self) { try await session.read(path) { _ in } }
            #expect(read == SFTPError(.noSuchFile, .read, path: path, detail: read?.detail ?? ""))
            #expect(read?.message.contains(path) == true)
            #expect(try await session.size(path) == nil)

            let removed = await #expect(throws: SFTPError.self) { try await session.remove(path) }
            #expect(removed?.kind == .noSuchFile && removed?.operation == .remove)
            let listed = await #expect(throws: SFTPError.self) { try await session.list(path) }
            #expect(listed?.kind == .noSuchFile && listed?.operation == .list)
            let renamed = await #expect(throws: SFTPError.self) { try await session.rename(path, to: path + ".2") }
            #expect(renamed?.kind == .noSuchFile && renamed?.destination == path + ".2")
            let written = await #expect(throws: SFTPError.self) {
                try await session.write(directory + "/missing-dir/file") { try await $0.write(Data("x".utf8)) }
            }
            #expect(written?.kind == .noSuchFile && written?.operation == .write)
            let outside = await #expect(throws: SFTPError.self) {
                try await session.write("/root/slipway-sftp") { _ in }
            }
            #expect(outside?.kind == .permissionDenied)
        }
    }

    @Test("a hostile file name is written and listed exactly as given, and creates nothing else")
    func hostileName() async throws {
        try await Self.withSFTP { connection, session, directory in
            let name =
                "it's \"quoted\" $(touch slipway-pwned) `touch slipway-pwned`; touch slipway-pwned\nline 2  spaces  "
            let content = Data("hostile\n".utf8)
            try await session.write(directory + "/" + name) { try await $0.write(content) }
            #expect(try await session.list(directory) == [name])
            #expect(try await Self.remoteEntries(directory, on: connection) == [name])
            #expect(try await Self.readAll(session, directory + "/" + name) == content)
            #expect(try await session.size(directory + "/" + name) == content.count)

            try await session.makeDirectories(directory + "/" + name + ".d/$(id)")
            try await session.rename(directory + "/" + name, to: directory + "/" + name + ".d/$(id)/;x")
            #expect(
                try await Self.remoteEntries(directory, on: connection) == [
                    name + ".d", name + ".d/$(id)", name + ".d/$(id)/;x",
                ])

            // Nothing ran: no file named by the injected commands, here or in the home directory.
            let pwned = try await connection.run(["test", "-e", "slipway-pwned"], deadline: .seconds(30))
            #expect(pwned.exitCode == 1)

            // A NUL byte would make the server act on a shorter path: refused before anything is sent.
            let cut = await #expect(throws: SFTPError.self) {
                try await session.write(directory + "/safe\0../../evil") { try await $0.write(content) }
            }
            #expect(cut?.kind == .invalidPath)
            #expect(try await Self.remoteEntries(directory, on: connection).count == 3)
        }
    }

    @Test("a write that fails halfway leaves no file behind")
    func failedWrite() async throws {
        struct Interrupted: Error {}
        try await Self.withSFTP { (_, session, directory) async throws in
            let path = directory + "/partial"
            await #expect(throws: Interrupted.self) {
                try await session.write(path) { file in
                    try await file.write(Self.randomBytes(200_000))
                    throw Interrupted()
                }
            }
            #expect(try await session.size(path) == nil)
            #expect(try await session.list(directory).isEmpty)
        }
    }

    @Test("cancelling a transfer stops it; the session carries on")
    func cancellation() async throws {
        try await Self.withSFTP { (_, session, directory) async throws in
            let path = directory + "/big"
            let content = Self.randomBytes(4 * 1024 * 1024)
            try await session.write(path) { try await $0.write(content) }

            let reading = Task {
                try await session.read(path) { _ in try await Task.sleep(for: .milliseconds(50)) }
            }
            try await Task.sleep(for: .milliseconds(200))
            reading.cancel()
            await #expect(throws: CancellationError.self) { try await reading.value }

            let writing = Task {
                try await session.write(path + ".copy") { file in
                    while true { try await file.write(Data(count: 65_536)) }
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            writing.cancel()
            await #expect(throws: CancellationError.self) { try await writing.value }

            #expect(try await session.size(path) == content.count)
            // The cancelled write's CLOSE and REMOVE went out before this STAT, and the server answers in order.
            #expect(try await session.size(path + ".copy") == nil)
            #expect(try await Self.readAll(session, path) == content)
        }
    }

    @Test("a server that stops answering gives timedOut; the session works again when it answers")
    func stalledServer() async throws {
        let server = try await SSHTestServer.start(label: "sftpstall")
        defer { server.stop() }
        try await Self.withSFTP(server: server, requestTimeout: .seconds(1)) { _, session, directory in
            let sftp = try #require(Self.descendant(of: server, named: "@internal-sftp"))
            kill(sftp, SIGSTOP)
            let started = ContinuousClock.now
            let stalled = await #expect(throws: SFTPError.self) { try await session.size(directory) }
            kill(sftp, SIGCONT)
            #expect(stalled?.kind == .timedOut && stalled?.operation == .size)
            #expect(ContinuousClock.now - started < .seconds(10))
            #expect(try await session.list(directory).isEmpty)
        }
    }

    @Test("when ssh dies, the request in flight and every later one fail at once instead of hanging")
    func deadTransport() async throws {
        let server = try await SSHTestServer.start(label: "sftpdead")
        defer { server.stop() }
        let target = server.target(.privateKey(pem: server.credentials.ed25519, passphrase: nil))
        try await withConnection(target, maxSessions: 1) { connection in
            let session = try await connection.sftp()
            try await session.write("dead-transport.bin") { try await $0.write(Self.randomBytes(2 * 1024 * 1024)) }
            let started = ContinuousClock.now
            let lost = await #expect(throws: SFTPError.self) {
                try await session.read("dead-transport.bin") { _ in
                    server.stop()
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            #expect(lost?.kind == .connectionLost && lost?.operation == .read)
            let later = await #expect(throws: SFTPError.self) { try await session.size("dead-transport.bin") }
            #expect(later?.kind == .connectionLost)
            #expect(ContinuousClock.now - started < .seconds(20))
            await session.close()

            // The session's slot (maxSessions 1) came back: a command runs once the server is back.
            try await server.restart(newHostKeys: false)
            let result = try await connection.run(["rm", "-f", "dead-transport.bin"], deadline: .seconds(30))
            #expect(result.exitCode == 0)
        }
    }

    @Test("a closed session refuses further requests, and gives its session slot back")
    func closed() async throws {
        let server = try await SSHTestServer.shared()
        let target = server.target(.privateKey(pem: server.credentials.ed25519, passphrase: nil))
        try await withConnection(target, maxSessions: 1) { connection in
            let session = try await connection.sftp()
            #expect(try await session.size(".") != nil)
            await session.close()
            await session.close()
            let refused = await #expect(throws: SFTPError.self) { try await session.size(".") }
            #expect(refused?.kind == .closed)
            // With one slot, this would wait for ever if the session still held it.
            let result = try await connection.run(["true"], deadline: .seconds(10))
            #expect(result.exitCode == 0)
            let again = try await connection.sftp(deadline: .seconds(10))
            #expect(try await again.size(".") != nil)
            await again.close()
        }
    }

    /// A process under `server`'s sshd whose command line contains `needle` (found through /proc).
    static func descendant(of server: SSHTestServer, named needle: String) -> pid_t? {
        guard let text = try? String(contentsOfFile: server.directory + "/sshd.pid", encoding: .utf8),
            let root = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else { return nil }
        var parents: [pid_t: pid_t] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let parent = pid_t(fields[1]) { parents[pid] = parent }
        }
        func descends(_ pid: pid_t) -> Bool {
            var current = pid
            while let parent = parents[current], parent > 1 {
                if parent == root { return true }
                current = parent
            }
            return false
        }
        return parents.keys.sorted().first { pid in
            guard descends(pid), let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else {
                return false
            }
            return String(decoding: cmdline, as: UTF8.self).contains(needle)
        }
    }
}

/// `bench/ssh` with SLIPWAY_BENCH=1: copies a large file (SLIPWAY_BENCH_SFTP_MB, default 256) to the test
/// sshd and back over one session and prints the throughput each way; asserts only that the bytes arrived.
@Suite(
    "SFTP bench", .tags(.bench, .sshd),
    .enabled(if: ProcessInfo.processInfo.environment["SLIPWAY_BENCH"] == "1", "set SLIPWAY_BENCH=1"))
struct SFTPBench {
    @Test("a large file to the server and back")
    func throughput() async throws {
        let megabytes = Int(ProcessInfo.processInfo.environment["SLIPWAY_BENCH_SFTP_MB"] ?? "") ?? 256
        let block = SFTPTests.randomBytes(1024 * 1024)
        try await SFTPTests.withSFTP { _, session, directory in
            let path = directory + "/bench.bin"
            let clock = ContinuousClock()
            let written = try await clock.measure {
                try await session.write(path) { file in
                    for _ in 0..<megabytes { try await file.write(block) }
                }
            }
            var count = 0
            let read = try await clock.measure {
                try await session.read(path) { count += $0.count }
            }
            #expect(count == megabytes * block.count)
            func rate(_ duration: Duration) -> String {
                String(
                    format: "%.0f MB/s (%.2f s)", Double(megabytes) / (duration / .seconds(1)), duration / .seconds(1))
            }
            print("sftp bench: \(megabytes) MB over one session to sshd on loopback")
            print("sftp bench: write \(rate(written)), read \(rate(read))")
        }
    }
}
