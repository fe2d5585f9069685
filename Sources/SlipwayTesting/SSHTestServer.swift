import Foundation
import SlipwayDrivers
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A real OpenSSH server on 127.0.0.1 for tests, never the machine's own sshd.
///
/// Each one runs `/usr/sbin/sshd` with its own config, ed25519 and RSA host keys, PidFile, log and
/// authorized-keys files in `/tmp/slipway-sshd-test.*`, on a free port. Two system users serve as
/// logins, created when missing (this needs root): `slipway-ssh-test-key` (authorized: ed25519, ECDSA, RSA
/// and a passphrase-protected ed25519 key, generated per test process) and `slipway-ssh-test-pw` (password
/// authentication, enabled for that user only; the password is random per machine and kept in a root-only
/// file). `shared()` gives every test of a process the same server; `start(label:)` another one. All of
/// them are stopped, with their sessions, when the process exits.
public final class SSHTestServer: Sendable {
    public static let keyUser = "slipway-ssh-test-key"
    public static let passwordUser = "slipway-ssh-test-pw"

    public let port: Int
    public let directory: String
    public let credentials: SSHTestCredentials
    private let hostKeyState: Mutex<String>

    /// `SHA256:...` of the server's ed25519 host key, the one `ssh` negotiates; changes with `restart(newHostKeys:)`.
    public var hostKeyFingerprint: String { hostKeyState.withLock { $0 } }

    private init(port: Int, directory: String, credentials: SSHTestCredentials, fingerprint: String) {
        self.port = port
        self.directory = directory
        self.credentials = credentials
        self.hostKeyState = Mutex(fingerprint)
    }

    /// The server shared by all tests of this process.
    public static func shared() async throws -> SSHTestServer {
        try await Registry.shared.sharedServer()
    }

    /// A server of its own (for tests that restart it, or that need two at once).
    public static func start(label: String) async throws -> SSHTestServer {
        let credentials = try await Registry.shared.credentials()
        return try await launch(label: label, credentials: credentials)
    }

    /// A target for the key user with `key` (or the password user with `.password`), pinned or not.
    public func target(_ credential: SSHTarget.Credential, pin: String? = nil) -> SSHTarget {
        let user: String =
            switch credential {
            case .password: Self.passwordUser
            case .privateKey: Self.keyUser
            }
        return SSHTarget(
            host: "127.0.0.1", port: port, user: user, credential: credential, pinnedHostKeyFingerprint: pin)
    }

    /// Stops sshd and every session it serves, then starts it again on the same port; with `newHostKeys`,
    /// with freshly generated host keys (a reinstalled server, as far as clients can tell).
    public func restart(newHostKeys: Bool) async throws {
        stop()
        if newHostKeys {
            for type in ["ed25519", "rsa"] {
                try? FileManager.default.removeItem(atPath: "\(directory)/ssh_host_\(type)_key")
                try? FileManager.default.removeItem(atPath: "\(directory)/ssh_host_\(type)_key.pub")
            }
            let fingerprint = try await Self.makeHostKeys(in: directory)
            hostKeyState.withLock { $0 = fingerprint }
        }
        try await Self.startDaemon(directory: directory, port: port)
    }

    /// Stops sshd and its sessions (the connections of clients are cut).
    public func stop() {
        guard let text = try? String(contentsOfFile: directory + "/sshd.pid", encoding: .utf8),
            let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else { return }
        ProcessTree.kill(root: pid)
        try? FileManager.default.removeItem(atPath: directory + "/sshd.pid")
    }

    private static func launch(label: String, credentials: SSHTestCredentials) async throws -> SSHTestServer {
        let safeLabel = String(label.filter { $0.isLetter || $0.isNumber }.prefix(20))
        let directory = try Tool.temporaryDirectory("/tmp/slipway-sshd-test.\(safeLabel).XXXXXX", mode: 0o755)
        let fingerprint = try await makeHostKeys(in: directory)
        let keys = directory + "/authorized_keys"
        try FileManager.default.createDirectory(atPath: keys, withIntermediateDirectories: false)
        chmod(keys, 0o755)
        try credentials.authorizedKeys.write(toFile: "\(keys)/\(keyUser)", atomically: true, encoding: .utf8)
        chmod("\(keys)/\(keyUser)", 0o644)
        var lastError: (any Error)?
        for _ in 1...5 {
            let port = try LoopbackSocket.freePort()
            do {
                try await startDaemon(directory: directory, port: port)
                let server = SSHTestServer(
                    port: port, directory: directory, credentials: credentials, fingerprint: fingerprint)
                ExitCleanup.shared.add(server)
                return server
            } catch {
                lastError = error  // most likely the port was taken meanwhile: try another
            }
        }
        throw lastError ?? SSHTestServerError("sshd did not start")
    }

    private static func makeHostKeys(in directory: String) async throws -> String {
        for (type, bits) in [("ed25519", "256"), ("rsa", "2048")] {
            try await Tool.run([
                "ssh-keygen", "-q", "-t", type, "-b", bits, "-N", "", "-C", "slipway-test-host",
                "-f", "\(directory)/ssh_host_\(type)_key",
            ])
        }
        let listed = try await Tool.run(["ssh-keygen", "-l", "-f", "\(directory)/ssh_host_ed25519_key.pub"])
        guard let fingerprint = HostKeyFingerprint.first(in: listed) else {
            throw SSHTestServerError("no fingerprint in: \(listed)")
        }
        return fingerprint
    }

    private static func startDaemon(directory: String, port: Int) async throws {
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        try await config(directory: directory, port: port).write(
            toFile: directory + "/sshd_config", atomically: true, encoding: .utf8)
        var lastFailure = ""
        for _ in 1...10 {
            // sshd binds, then daemonizes: exit 0 means it listens; it writes the PidFile just after.
            let (status, output) = try await Tool.status([
                "/usr/sbin/sshd", "-f", directory + "/sshd_config", "-E", directory + "/sshd.log",
            ])
            if status == 0 {
                for _ in 0..<100 where !FileManager.default.fileExists(atPath: directory + "/sshd.pid") {
                    try await Task.sleep(for: .milliseconds(20))
                }
                return
            }
            lastFailure = output + ((try? String(contentsOfFile: directory + "/sshd.log", encoding: .utf8)) ?? "")
            try await Task.sleep(for: .milliseconds(200))
        }
        throw SSHTestServerError("sshd did not start on port \(port): \(lastFailure)")
    }

    private static func config(directory: String, port: Int) async throws -> String {
        // OpenSSH 9.8 added penalties for failed logins; the tests fail logins on purpose.
        let version = (try? await Tool.status(["/usr/sbin/sshd", "-V"]).output) ?? ""
        let release = version.split(separator: "_").dropFirst().first.map(String.init) ?? ""
        let numbers = release.split(separator: ".").map { Int($0.prefix(while: \.isNumber)) ?? 0 }
        let penalties = (numbers.first ?? 0, numbers.dropFirst().first ?? 0) >= (9, 8)
        return """
            # slipway test sshd: loopback only, test users only
            Port \(port)
            ListenAddress 127.0.0.1
            HostKey \(directory)/ssh_host_ed25519_key
            HostKey \(directory)/ssh_host_rsa_key
            PidFile \(directory)/sshd.pid
            AuthorizedKeysFile \(directory)/authorized_keys/%u
            StrictModes no
            UsePAM no
            PermitRootLogin no
            AllowUsers \(keyUser) \(passwordUser)
            PubkeyAuthentication yes
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PermitEmptyPasswords no
            X11Forwarding no
            AllowStreamLocalForwarding yes
            Subsystem sftp internal-sftp
            MaxSessions 10
            MaxStartups 100:30:200
            PrintMotd no
            PrintLastLog no
            LogLevel VERBOSE
            \(penalties ? "PerSourcePenalties no" : "")
            Match User \(passwordUser)
                PasswordAuthentication yes

            """
    }
}

/// The test users' credentials, made once per test process.
public struct SSHTestCredentials: Sendable {
    public let ed25519: String
    public let ecdsa: String
    public let rsa: String
    public let encryptedEd25519: String
    public let passphrase: String
    /// A well-formed key that no test server authorizes.
    public let unauthorized: String
    public let password: String
    let authorizedKeys: String
}

extension SSHTestServer {
    /// One shared server and one set of credentials per test process, however many tests ask at once.
    private actor Registry {
        static let shared = Registry()

        // Remembered starts, not stray tasks: every caller awaits the same one.
        private var made: Task<SSHTestCredentials, any Error>?
        private var server: Task<SSHTestServer, any Error>?

        func credentials() async throws -> SSHTestCredentials {
            if let made { return try await made.value }
            let task = Task { try await Fixtures.make() }
            made = task
            return try await task.value
        }

        func sharedServer() async throws -> SSHTestServer {
            if let server { return try await server.value }
            let credentials = try await credentials()
            if let server { return try await server.value }
            let task = Task { try await SSHTestServer.launch(label: "shared", credentials: credentials) }
            server = task
            return try await task.value
        }
    }

    /// The test users (created when missing) and this process's client keys.
    private enum Fixtures {
        static func make() async throws -> SSHTestCredentials {
            guard geteuid() == 0 else {
                throw SSHTestServerError("the SSH tests create their users and run sshd, so they need root")
            }
            let password = try machinePassword()
            try await ensureUser(keyUser)
            // With UsePAM no, sshd refuses accounts whose password field is locked ('!'), keys or not.
            try await Tool.run(["usermod", "-p", "*", keyUser])
            // Like a deploy user on a real server, the key user may use the Docker engine's socket.
            if getgrnam("docker") != nil {
                try await Tool.run(["usermod", "-a", "-G", "docker", keyUser])
            }
            try await ensureUser(passwordUser)
            try await Tool.run(["chpasswd"], input: "\(passwordUser):\(password)\n")

            let directory = try Tool.temporaryDirectory("/tmp/slipway-ssh-test-keys.XXXXXX", mode: 0o700)
            let passphrase = "pass " + UUID().uuidString
            func key(_ name: String, _ type: String, _ bits: String, _ passphrase: String = "") async throws -> String {
                let path = "\(directory)/\(name)"
                try await Tool.run([
                    "ssh-keygen", "-q", "-t", type, "-b", bits, "-N", passphrase, "-C", name, "-f", path,
                ])
                return try String(contentsOfFile: path, encoding: .utf8)
            }
            let credentials = SSHTestCredentials(
                ed25519: try await key("ed25519", "ed25519", "256"),
                ecdsa: try await key("ecdsa", "ecdsa", "256"),
                rsa: try await key("rsa", "rsa", "2048"),
                encryptedEd25519: try await key("encrypted", "ed25519", "256", passphrase),
                passphrase: passphrase,
                unauthorized: try await key("unauthorized", "ed25519", "256"),
                password: password,
                authorizedKeys: try ["ed25519", "ecdsa", "rsa", "encrypted"].map {
                    try String(contentsOfFile: "\(directory)/\($0).pub", encoding: .utf8)
                }.joined())
            try? FileManager.default.removeItem(atPath: directory)
            return credentials
        }

        static func ensureUser(_ name: String) async throws {
            if getpwnam(name) != nil { return }
            let (status, output) = try await Tool.status(["useradd", "-m", "-s", "/bin/sh", name])
            // Another test process may have created it a moment ago.
            guard status == 0 || getpwnam(name) != nil else {
                throw SSHTestServerError("useradd \(name) failed: \(output)")
            }
        }

        /// Random per machine, shared by concurrent test processes (they set the same password), readable
        /// by root only. A fixed password would be a known login wherever the machine's own sshd listens.
        static func machinePassword() throws -> String {
            let directory = "/var/lib/slipway-ssh-test"
            let file = directory + "/password"
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            if let existing = try? String(contentsOfFile: file, encoding: .utf8), !existing.isEmpty {
                return existing
            }
            let fresh = UUID().uuidString + UUID().uuidString
            let scratch = file + "." + UUID().uuidString
            try fresh.write(toFile: scratch, atomically: false, encoding: .utf8)
            chmod(scratch, 0o600)
            link(scratch, file)  // atomic; fails harmlessly if another process got there first
            unlink(scratch)
            return try String(contentsOfFile: file, encoding: .utf8)
        }
    }

    /// Runs short programs by argv and waits for them.
    private enum Tool {
        @discardableResult
        static func run(_ argv: [String], input: String? = nil) async throws -> String {
            let (status, output) = try await status(argv, input: input)
            guard status == 0 else {
                throw SSHTestServerError("`\(argv.joined(separator: " "))` exited \(status): \(output)")
            }
            return output
        }

        /// Exit status and standard output followed by standard error.
        static func status(_ argv: [String], input: String? = nil) async throws -> (status: Int32, output: String) {
            let process = try LocalProcess.start(
                argv, environment: ProcessInfo.processInfo.environment,
                input: input.map { .data(Data($0.utf8), thenClose: true) } ?? .none)
            let result = await process.collect()
            let output = String(decoding: result.stdout + result.stderr, as: UTF8.self)
            return (result.termination.exitCode, output)
        }

        static func temporaryDirectory(_ template: String, mode: mode_t) throws -> String {
            var bytes = Array(template.utf8CString)
            let made = bytes.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map { mkdtemp($0) != nil } }
            guard made == true else { throw SSHTestServerError("mkdtemp \(template) failed: errno \(errno)") }
            let path = String(decoding: bytes.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
            chmod(path, mode)
            return path
        }
    }

    /// Kills a process and all its descendants (sshd and the sessions it forked), found through /proc.
    enum ProcessTree {
        static func kill(root: pid_t) {
            var children: [pid_t: [pid_t]] = [:]
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
            for entry in entries {
                guard let pid = pid_t(entry),
                    let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                    let close = stat.lastIndex(of: ")")
                else { continue }
                let fields = stat[stat.index(after: close)...].split(separator: " ")
                if fields.count > 1, let parent = pid_t(fields[1]) { children[parent, default: []].append(pid) }
            }
            var doomed: [pid_t] = []
            var queue = [root]
            while let next = queue.popLast() {
                doomed.append(next)
                queue += children[next] ?? []
            }
            for pid in doomed { Glibc.kill(pid, SIGTERM) }
            for _ in 0..<50 where doomed.contains(where: { Glibc.kill($0, 0) == 0 }) { usleep(20_000) }
            for pid in doomed { Glibc.kill(pid, SIGKILL) }
        }
    }

    /// Stops every server of this process at exit. `atexit` takes a C function that captures nothing,
    /// so this one object is global; its state is only touched under its lock.
    private final class ExitCleanup: Sendable {
        static let shared = ExitCleanup()
        private let servers = Mutex<(list: [SSHTestServer], registered: Bool)>(([], false))

        func add(_ server: SSHTestServer) {
            let first = servers.withLock { state -> Bool in
                state.list.append(server)
                defer { state.registered = true }
                return !state.registered
            }
            if first { atexit { SSHTestServer.ExitCleanup.shared.stopAll() } }
        }

        private func stopAll() {
            let list = servers.withLock { state -> [SSHTestServer] in
                defer { state.list = [] }
                return state.list
            }
            for server in list {
                server.stop()
                try? FileManager.default.removeItem(atPath: server.directory)
            }
        }
    }
}

/// A failure of the SSH test helper, with what the failing program printed.
public struct SSHTestServerError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = "SSHTestServer: " + description }
}
