import Foundation
import Testing

@testable import SlipwayDrivers

/// The pieces of the SSH transport that need no server: the remote wrapper (run by a local /bin/sh),
/// local processes, the semaphore, ssh's messages, targets and backoff.
@Suite("SSH plumbing")
struct SSHPlumbingTests {
    /// Runs the remote wrapper locally, as the remote login shell would: `sh -c TEXT`.
    static func wrapper(_ argv: [String], stdin: Data?, keepOpen: Bool = false) throws -> LocalProcess {
        let text = try RemoteCommand.text(for: argv, stdinByteCount: stdin?.count)
        return try LocalProcess.start(
            ["/bin/sh", "-c", text], environment: ["PATH": "/usr/bin:/bin"],
            input: .data(stdin ?? Data(), thenClose: !keepOpen))
    }

    @Test("the wrapper passes argv, stdin bytes, stdout, stderr and the exit code through unchanged")
    func wrapperPassesThrough() async throws {
        let bytes = Data([0, 1, 2, 255, 10, 39, 34]) + Data("'$(id)`;|\n".utf8)
        let echoed = try await Self.wrapper(["cat"], stdin: bytes, keepOpen: true).collect()
        #expect(echoed.stdout == bytes)
        let script = "printf '%s|' \"$@\"; echo err >&2; exit 9"
        // Standard input stays open, as an SSH channel does while its command runs: a closed one means
        // "cancelled", and the wrapper would race to kill the command (the next test checks that).
        let result = try await Self.wrapper(
            ["sh", "-c", script, "sh", "a b", "-n", "*", ""], stdin: nil, keepOpen: true
        )
        .collect()
        #expect(String(decoding: result.stdout, as: UTF8.self) == "a b|-n|*||")
        #expect(String(decoding: result.stderr, as: UTF8.self) == "err\n")
        #expect(result.termination.exitCode == 9)
    }

    @Test("the wrapper kills the command when its standard input ends, and does not run on truncated input")
    func wrapperStopsOnEndOfInput() async throws {
        // Standard input ends at once (thenClose): the channel is "gone", so the sleep must not survive.
        let started = ContinuousClock.now
        let result = try await Self.wrapper(["sleep", "30"], stdin: nil, keepOpen: false).collect()
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(result.termination.exitCode == 128 + SIGTERM)
        // Fewer stdin bytes than announced: the command never starts.
        let text = try RemoteCommand.text(for: ["echo", "ran"], stdinByteCount: 10)
        let short = try await LocalProcess.start(
            ["/bin/sh", "-c", text], environment: ["PATH": "/usr/bin:/bin"],
            input: .data(Data("abc".utf8), thenClose: true)
        ).collect()
        #expect(short.termination.exitCode == 125)
        #expect(short.stdout.isEmpty)
    }

    @Test("a long-running process does not delay hearing that another one ended")
    func independentExits() async throws {
        // The bound is far from the short command's real time (milliseconds) and far below the long one's
        // (30 s): it holds on a loaded machine and still fails if exits are heard only when the long one ends.
        let long = try LocalProcess.start(["sleep", "30"], environment: ["PATH": "/usr/bin:/bin"])
        let started = ContinuousClock.now
        let short = try await LocalProcess.start(["true"], environment: ["PATH": "/usr/bin:/bin"]).collect()
        #expect(short.termination.exitCode == 0)
        #expect(ContinuousClock.now - started < .seconds(10))
        long.terminate()
        let ended = await long.collect()
        #expect(ended.termination.signal == SIGTERM)
    }

    @Test("the semaphore hands out at most its limit, in order, and a cancelled waiter takes nothing")
    func semaphore() async throws {
        let semaphore = AsyncSemaphore(limit: 1)
        try await semaphore.acquire()
        let waiter = Task { try await semaphore.acquire() }
        try await Task.sleep(for: .milliseconds(50))
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        semaphore.release()
        // The permit is free again: this does not wait.
        try await LocalProcess.withDeadline(.seconds(2)) { try await semaphore.acquire() }
        semaphore.release()
    }

    @Test("ssh's own messages are read as the right failures")
    func failures() {
        let denied = SSHFailure.masterFailed(
            stderr: "slipway@10.0.0.5: Permission denied (publickey,password).\r\n", exitCode: 255,
            privateDirectory: "/tmp/x")
        #expect(denied == .authenticationFailed("the server answered Permission denied (publickey,password)"))
        let changed = """
            @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
            @    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @
            The fingerprint for the ED25519 key sent by the remote host is
            SHA256:4bDOUym1PJoGeFHPE+9I1H39NDzJ7SIsPylGSCtR2pE.
            Host key verification failed.
            """
        #expect(
            SSHFailure.masterFailed(stderr: changed, exitCode: 255, privateDirectory: "/tmp/x")
                == .hostKeyMismatch(expected: "", found: "SHA256:4bDOUym1PJoGeFHPE+9I1H39NDzJ7SIsPylGSCtR2pE"))
        let refused = SSHFailure.masterFailed(
            stderr: "ssh: connect to host 10.0.0.5 port 22: Connection refused\r\n", exitCode: 255,
            privateDirectory: "/tmp/x")
        #expect(refused == .unreachable("ssh: connect to host 10.0.0.5 port 22: Connection refused"))
        let passphrase = SSHFailure.masterFailed(
            stderr: "Load key \"/tmp/x/identity\": incorrect passphrase supplied to decrypt private key\r\n",
            exitCode: 255, privateDirectory: "/tmp/x")
        guard case .authenticationFailed = passphrase else {
            Issue.record("a wrong passphrase should be an authentication failure")
            return
        }

        #expect(
            SSHFailure.client(
                stderr: "Control socket connect(/x): Connection refused\r\n"
                    + SSHCommandLine.noMasterMarker + "\n") == .noMaster)
        #expect(
            SSHFailure.client(
                stderr: "mux_client_request_session: session request failed: Session open refused by peer\r\n")
                == .sessionRefused)
        #expect(
            SSHFailure.client(stderr: "mux_client_read_packet: read header failed: Broken pipe\r\n")
                == .masterLost("mux_client_read_packet: read header failed: Broken pipe"))
        #expect(SSHFailure.client(stderr: "something the command printed\n") == .remoteExit)
    }

    @Test("targets that ssh would read as options or as something else are refused")
    func targets() {
        let good = SSHTarget(host: "web-1.example.com", user: "deploy", credential: .password("pw"))
        #expect(throws: Never.self) { try good.validate() }
        var cases: [SSHTarget] = []
        for host in ["-oProxyCommand=touch /tmp/x", "", "user@host", "host name", "ssh://host"] {
            cases.append(SSHTarget(host: host, user: "deploy", credential: .password("pw")))
        }
        for user in ["-l", "a@b", "", "a b", "a\nb"] {
            cases.append(SSHTarget(host: "h", user: user, credential: .password("pw")))
        }
        cases.append(SSHTarget(host: "h", port: 0, user: "u", credential: .password("pw")))
        cases.append(SSHTarget(host: "h", user: "u", credential: .password("two\nlines")))
        cases.append(SSHTarget(host: "h", user: "u", credential: .privateKey(pem: "not a key", passphrase: nil)))
        cases.append(SSHTarget(host: "h", user: "u", credential: .password("pw"), pinnedHostKeyFingerprint: "MD5:aa"))
        for target in cases {
            #expect(throws: SSHError.self) { try target.validate() }
        }
    }

    @Test("backoff doubles from its base up to its cap")
    func backoff() {
        let backoff = SSHConnection.Backoff(base: .milliseconds(500), cap: .seconds(30))
        let delays = (1...9).map { backoff.delay(afterFailures: $0) }
        #expect(delays.prefix(4) == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4)])
        #expect(delays.last == .seconds(30))
        #expect(backoff.delay(afterFailures: 1_000) == .seconds(30))
    }
}
