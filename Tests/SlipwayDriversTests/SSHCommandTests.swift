import Foundation
import SlipwayDrivers
import SlipwayTesting
import Synchronization
import Testing

@Suite("SSH commands: argv, output, deadlines, cancellation, concurrency", .tags(.sshd))
struct SSHCommandTests {
    static func keyTarget() async throws -> SSHTarget {
        let server = try await SSHTestServer.shared()
        return server.target(.privateKey(pem: server.credentials.ed25519, passphrase: nil))
    }

    static let hostile: [String] = [
        "plain", "", " ", "it's", "'", "''", "\"double\"", "$(touch /tmp/slipway-pwned)", "`id`", "a; rm -rf /",
        "a | cat /etc/passwd", "line1\nline2", "\n", "*", "?", "[a-z]", "~", "~root", "-rf", "--help", "-", "$HOME",
        "${PATH}", "\\", "a\\'b", "\t tab", "é ünï 中文 🚀", "!event", "#comment", "&background", "a>b", "<in",
        "(sub)", "{a,b}", "%s", "\r", "\u{7f}",
    ]

    /// The remote printf writes each argument NUL-terminated; splitting on NUL gives back what it received.
    static func received(_ stdout: Data) -> [String] {
        stdout.split(separator: 0, omittingEmptySubsequences: false).dropLast().map {
            String(decoding: $0, as: UTF8.self)
        }
    }

    @Test("hostile arguments reach the remote process unchanged")
    func hostileArgv() async throws {
        let long = String(repeating: "x'y\"z$`;|*\n é", count: 7_000)  // about 100 KB
        #expect(long.utf8.count >= 98_000)
        try await withConnection(try await Self.keyTarget()) { connection in
            let sent = Self.hostile + ["-n", "--", "last"]
            let result = try await connection.run(["printf", "%s\\0"] + sent, deadline: .seconds(30))
            #expect(result.exitCode == 0)
            #expect(Self.received(result.stdout) == sent)
            // A leading '-' as the program's first argument, and one very long argument.
            let dashes = try await connection.run(["printf", "-%s\\0", "-x"], deadline: .seconds(30))
            #expect(dashes.stdoutText == "--x\0")
            let big = try await connection.run(["printf", "%s\\0", long], deadline: .seconds(30))
            #expect(Self.received(big.stdout) == [long])
            // Nothing the arguments tried to run ran.
            let pwned = try await connection.run(["test", "-e", "/tmp/slipway-pwned"], deadline: .seconds(30))
            #expect(pwned.exitCode == 1)
        }
    }

    @Test("an argv too long for a remote shell, or holding NUL, is refused before sending")
    func refusedArgv() async throws {
        try await withConnection(try await Self.keyTarget()) { connection in
            for argv in [["echo", "a\0b"], [], ["echo", String(repeating: "'", count: 40_000)]] {
                await #expect(throws: SSHError.self) { try await connection.run(argv, deadline: .seconds(5)) }
            }
        }
    }

    @Test("exit code, stdout and stderr come through exactly")
    func exactOutput() async throws {
        try await withConnection(try await Self.keyTarget()) { connection in
            let script = "printf 'out\\n\\001\\377'; printf 'err\\n' >&2; exit 42"
            let result = try await connection.run(["sh", "-c", script], deadline: .seconds(30))
            #expect(result.exitCode == 42)
            #expect(result.stdout == Data("out\n".utf8) + Data([1, 255]))
            #expect(result.stderrText == "err\n")
            let killed = try await connection.run(["sh", "-c", "kill -9 $$"], deadline: .seconds(30))
            #expect(killed.exitCode == 137)
            let code255 = try await connection.run(["sh", "-c", "echo bye >&2; exit 255"], deadline: .seconds(30))
            #expect(code255.exitCode == 255)
            #expect(code255.stderrText == "bye\n")
            let missing = try await connection.run(["slipway-no-such-program"], deadline: .seconds(30))
            #expect(missing.exitCode == 127)
        }
    }

    @Test("standard input reaches the command byte for byte")
    func standardInput() async throws {
        let bytes = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        try await withConnection(try await Self.keyTarget()) { connection in
            let echoed = try await connection.run(["cat"], stdin: bytes, deadline: .seconds(60))
            #expect(echoed.exitCode == 0)
            #expect(echoed.stdout == bytes)
            let empty = try await connection.run(["wc", "-c"], stdin: Data(), deadline: .seconds(30))
            #expect(empty.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
            let none = try await connection.run(["cat"], deadline: .seconds(30))  // reads /dev/null, ends at once
            #expect(none.stdout.isEmpty && none.exitCode == 0)
        }
    }

    @Test("streaming hands over lines as they come, then the exit code")
    func streaming() async throws {
        let lines = Mutex<[OutputLine]>([])
        let code = try await withConnection(try await Self.keyTarget()) { connection in
            try await connection.stream(
                ["sh", "-c", "for i in 1 2 3; do echo line $i; sleep 0.1; done; echo oops >&2; printf tail; exit 3"],
                deadline: .seconds(30)
            ) { line in lines.withLock { $0.append(line) } }
        }
        #expect(code == 3)
        let received = lines.withLock { $0 }
        #expect(received.filter { $0.stream == .stdout }.map(\.text) == ["line 1", "line 2", "line 3", "tail"])
        #expect(received.filter { $0.stream == .stderr }.map(\.text) == ["oops"])
    }

    @Test("a deadline stops the remote process")
    func deadlineKillsRemote() async throws {
        try await withConnection(try await Self.keyTarget()) { connection in
            let started = ContinuousClock.now
            let error = await #expect(throws: SSHError.self) {
                try await connection.run(["sleep", "3127"], deadline: .seconds(1))
            }
            #expect(error == .timedOut(after: .seconds(1)))
            // Far from the 3127 s the command would take, with room for a loaded machine.
            #expect(ContinuousClock.now - started < .seconds(15))
            let gone = try await remoteProcessesGone("[s]leep 3127", on: connection)
            #expect(gone)
        }
    }

    @Test("cancelling the task stops the remote process")
    func cancellationKillsRemote() async throws {
        try await withConnection(try await Self.keyTarget()) { connection in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { _ = try await connection.run(["sleep", "3128"], deadline: .seconds(300)) }
                // Make sure it runs remotely before cancelling.
                let until = ContinuousClock.now.advanced(by: .seconds(10))
                while try await connection.run(["pgrep", "-f", "[s]leep 3128"], deadline: .seconds(10)).exitCode != 0,
                    ContinuousClock.now < until
                {
                    try await Task.sleep(for: .milliseconds(100))
                }
                group.cancelAll()
                do {
                    try await group.next()
                    Issue.record("the cancelled command returned normally")
                } catch {
                    #expect(error is CancellationError)
                }
            }
            let gone = try await remoteProcessesGone("[s]leep 3128", on: connection)
            #expect(gone)
        }
    }

    @Test("20 concurrent commands over one connection with maxSessions 4 all succeed, 4 at a time")
    func concurrency() async throws {
        try await withConnection(try await Self.keyTarget(), maxSessions: 4) { connection in
            try await connection.connect()
            let started = ContinuousClock.now
            let outputs = try await withThrowingTaskGroup(of: (Int, CommandResult).self) { group in
                for index in 0..<20 {
                    group.addTask {
                        let result = try await connection.run(
                            ["sh", "-c", "sleep 0.3; echo $1", "sh", String(index)], deadline: .seconds(60))
                        return (index, result)
                    }
                }
                var outputs: [Int: CommandResult] = [:]
                for try await (index, result) in group { outputs[index] = result }
                return outputs
            }
            for index in 0..<20 {
                #expect(outputs[index]?.exitCode == 0)
                #expect(outputs[index]?.stdoutText == "\(index)\n")
            }
            // 20 commands of 0.3 s, 4 at a time: at least 5 rounds.
            #expect(ContinuousClock.now - started >= .seconds(1.5))
        }
    }
}
