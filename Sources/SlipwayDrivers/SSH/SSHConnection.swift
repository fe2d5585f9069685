import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The SSH connection to one server, shared by everything that talks to it: one OpenSSH ControlMaster
/// (authenticated once, host key checked every time it is established), many commands through it at once
/// (at most `maxSessions`), re-established with capped exponential backoff when it dies.
///
/// Each connection owns a private 0700 directory with the master's socket, its own known_hosts file and
/// forwarded sockets; credentials exist there as 0600 files only while the master authenticates.
/// `close()` stops the master and removes the directory.
///
/// ```swift
/// let connection = try SSHConnection(target: target)
/// let fingerprint = try await connection.connect()   // store it on first contact
/// let result = try await connection.run(["uname", "-m"], deadline: .seconds(30))
/// ```
public actor SSHConnection {
    public nonisolated let target: SSHTarget
    /// The most commands (SSH sessions) run at once over this connection; sshd refuses more than its
    /// `MaxSessions` (10 by default).
    public nonisolated let maxSessions: Int

    nonisolated let directory: SSHRuntimeDirectory
    nonisolated let commandLine: SSHCommandLine
    nonisolated let scanner: HostKeyScanner
    nonisolated let sessions: AsyncSemaphore
    nonisolated let establishing = AsyncSemaphore(limit: 1)
    nonisolated let logger: Logger
    nonisolated let backoff: Backoff

    struct Master: Sendable {
        var controlPath: String
        var pid: pid_t
    }

    struct Forward: Sendable {
        var local: String
        var remote: String
    }

    var master: Master?
    var controlPath: String?
    /// The fingerprint of the key known_hosts holds once a master was established (then checking is strict).
    var trustedFingerprint: String?
    var failures = 0
    var lastFailure: SSHError?
    var retryNotBefore: ContinuousClock.Instant?
    var forwards: [Forward] = []
    var isClosed = false

    /// Prepares the connection (validates the target, finds the OpenSSH programs, makes the private
    /// directory under `runtimeRoot`); connects on `connect()` or on the first command.
    public init(
        target: SSHTarget, maxSessions: Int = 8, runtimeRoot: String = "/tmp", backoff: Backoff = Backoff(),
        logger: Logger = Logger(label: "slipway.ssh")
    ) throws(SSHError) {
        try target.validate()
        guard maxSessions > 0 else { throw .invalidTarget(field: "maxSessions", "must be at least 1") }
        let tools = try Self.tools()
        self.target = target
        self.maxSessions = maxSessions
        self.backoff = backoff
        self.directory = try SSHRuntimeDirectory.create(root: runtimeRoot)
        self.commandLine = SSHCommandLine(ssh: tools.ssh, target: target, directory: directory)
        self.scanner = HostKeyScanner(
            keyscan: tools.keyscan, keygen: tools.keygen, directory: directory,
            environment: commandLine.environment(askpass: false))
        self.sessions = AsyncSemaphore(limit: maxSessions)
        var logger = logger
        logger[metadataKey: "ssh.host"] = "\(target.host):\(target.port)"
        self.logger = logger
    }

    deinit {
        // Dropped without close(): do not leave a persistent master behind.
        if let pid = master?.pid { Self.terminate(masterPID: pid, of: directory) }
        directory.removeAll()
    }

    /// The fingerprint of the host key this connection trusts: the pinned one, or after the first
    /// successful contact the one it recorded (the caller stores it on the server record).
    public var hostKeyFingerprint: String? {
        trustedFingerprint ?? target.pinnedHostKeyFingerprint
    }

    /// The pid of the running master, for diagnostics; nil when none is up.
    public var masterProcessID: pid_t? { master?.pid }

    /// Establishes the master now (if it is not up) and returns the fingerprint of the host key, which on
    /// first contact is the one to store.
    @discardableResult
    public func connect(deadline: Duration = .seconds(30)) async throws -> String {
        let until = ContinuousClock.now.advanced(by: deadline)
        _ = try await LocalProcess.withDeadline(deadline) { try await self.ensureMaster(until: until) }
        return hostKeyFingerprint ?? ""
    }

    /// Health: the master answers (`ssh -O check`) and a trivial command completes within `deadline`.
    /// A dead master is re-established first. One that is alive but answers nothing, or no longer carries
    /// commands (wedged), is killed and `unreachable` thrown; the next use establishes a fresh one.
    public func check(deadline: Duration = .seconds(15)) async throws {
        let until = ContinuousClock.now.advanced(by: deadline)
        let master = try await LocalProcess.withDeadline(deadline) { try await self.ensureMaster(until: until) }
        let wedged = SSHError.unreachable(
            "the connection stopped carrying commands (wedged); it will be re-established")
        do {
            let control = commandLine.control("check", controlPath: master.controlPath)
            let answer = try await LocalProcess.run(
                control, environment: commandLine.environment(askpass: false),
                timeout: max(.seconds(1), min(.seconds(5), until - ContinuousClock.now)))
            guard answer.exitCode == 0 else {
                forget(master)
                throw SSHError.unreachable(
                    "the master connection stopped: \(answer.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
            }
            let probe = try await run(["true"], deadline: max(.seconds(1), until - ContinuousClock.now))
            guard probe.exitCode == 0 else { throw SSHError.unreachable("`true` exited \(probe.exitCode)") }
        } catch SSHError.timedOut {
            logger.warning("the SSH master does not carry commands any more; killing it")
            forget(master, signal: SIGKILL)
            throw wedged
        }
    }

    /// Stops the master (`ssh -O exit`) and removes the private directory. Later calls throw `.closed`.
    public func close() async {
        isClosed = true
        if let master {
            let exit = commandLine.control("exit", controlPath: master.controlPath)
            _ = try? await LocalProcess.run(
                exit, environment: commandLine.environment(askpass: false), timeout: .seconds(5))
            forget(master)
            // It exits on its own after `-O exit`; wait (briefly) so close() means gone.
            for _ in 0..<100 where kill(master.pid, 0) == 0 {
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        master = nil
        directory.removeAll()
    }

    /// Forgets a master that failed, so the next use establishes a new one, and ends its process if it is
    /// still there (a master whose socket vanished, or that stopped carrying sessions, would linger).
    func forget(_ dead: Master, signal: Int32 = SIGTERM) {
        if master?.pid == dead.pid { master = nil }
        Self.terminate(masterPID: dead.pid, of: directory, signal: signal)
    }

    /// Sends SIGTERM to a master process, but only if that pid is still our ssh: its command line names the
    /// connection's private directory (a pid can be reused once its process is gone).
    nonisolated static func terminate(
        masterPID pid: pid_t, of directory: SSHRuntimeDirectory, signal: Int32 = SIGTERM
    ) {
        guard pid > 0 else { return }
        #if os(Linux)
            guard let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
                String(decoding: cmdline, as: UTF8.self).contains(directory.path + "/")
            else { return }
        #endif
        kill(pid, signal)
    }

    private static func tools() throws(SSHError) -> (ssh: String, keyscan: String, keygen: String) {
        guard let ssh = LocalProcess.executable(named: "ssh"),
            let keyscan = LocalProcess.executable(named: "ssh-keyscan"),
            let keygen = LocalProcess.executable(named: "ssh-keygen")
        else {
            throw .localFailure("the OpenSSH client is not installed (ssh, ssh-keyscan, ssh-keygen: openssh-client)")
        }
        return (ssh, keyscan, keygen)
    }
}

extension SSHConnection {
    /// Capped exponential backoff between attempts to re-establish a master: `base`, 2 x `base`, ... up to `cap`.
    public struct Backoff: Sendable {
        public var base: Duration
        public var cap: Duration

        public init(base: Duration = .milliseconds(500), cap: Duration = .seconds(30)) {
            self.base = base
            self.cap = cap
        }

        /// The wait after `failures` consecutive failed attempts (1 or more).
        public func delay(afterFailures failures: Int) -> Duration {
            guard failures > 0 else { return .zero }
            let doubled = base * (1 << min(failures - 1, 20))
            return min(doubled, cap)
        }
    }
}
