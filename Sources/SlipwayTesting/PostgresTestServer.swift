import Foundation

/// Throwaway PostgreSQL databases for tests.
///
/// When `SLIPWAY_TEST_POSTGRES_URL` is set (`scripts/test` starts one server for the whole run and
/// sets it), databases are made on that server. Otherwise the first call starts a private server for
/// this test process: `initdb` into a directory under `/tmp`, trust authentication, a free port on
/// 127.0.0.1 and the unix socket inside that directory. As root, `initdb` and `postgres` run as the
/// `postgres` user through `runuser`, because PostgreSQL refuses to run as root. Concurrent first
/// callers share one start. The server is stopped and its directory removed when the process exits
/// normally (a crashed test process leaves it running: look for `/tmp/slipway-pg-test.*`).
///
/// Every tool runs through `Process` with an argument array; nothing goes through a shell.
public enum PostgresTestServer {
    /// A fresh, empty database on the run's PostgreSQL; returns its URL `postgres://USER@127.0.0.1:PORT/DBNAME`.
    public static func makeDatabase(label: String) async throws -> String {
        let server = try await Registry.shared.server()
        let name = databaseName(label: label)
        try await server.execute("CREATE DATABASE \"\(name)\"")
        return try server.url(database: name)
    }

    /// Drops a database made by makeDatabase.
    public static func dropDatabase(url: String) async throws {
        guard let components = URLComponents(string: url), components.host != nil else {
            throw PostgresTestServerError("not a PostgreSQL URL: \(url)")
        }
        let name = String(components.path.drop(while: { $0 == "/" }))
        // Refuse to drop anything this helper did not name.
        guard name.hasPrefix(namePrefix), name.allSatisfy(isNameCharacter), name.utf8.count <= 63 else {
            throw PostgresTestServerError("refusing to drop '\(name)': not a database made by makeDatabase")
        }
        var admin = components
        admin.path = "/postgres"
        guard let adminURL = admin.string else {
            throw PostgresTestServerError("cannot build the admin URL from \(url)")
        }
        let server = RunningServer(adminURL: adminURL, psql: try Tools.psql())
        try await server.execute("DROP DATABASE IF EXISTS \"\(name)\" WITH (FORCE)")
    }

    private static let namePrefix = "slw_test_"

    /// `slw_test_<label>_<random>`: the label reduced to `[a-z0-9_]`, at most 63 bytes in all.
    private static func databaseName(label: String) -> String {
        var cleaned = String(label.lowercased().map { isNameCharacter($0) ? $0 : "_" }.prefix(30))
        if cleaned.isEmpty {
            cleaned = "db"
        }
        let random = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        return namePrefix + cleaned + "_" + random
    }

    private static func isNameCharacter(_ character: Character) -> Bool {
        character == "_" || ("a"..."z").contains(character) || ("0"..."9").contains(character)
    }
}

extension PostgresTestServer {
    /// A server that takes connections: the admin URL (database `postgres`) and the psql to talk to it with.
    private struct RunningServer: Sendable {
        let adminURL: String
        let psql: String

        func url(database: String) throws -> String {
            guard var components = URLComponents(string: adminURL) else {
                throw PostgresTestServerError("bad server URL: \(adminURL)")
            }
            components.path = "/" + database
            guard let url = components.string else {
                throw PostgresTestServerError("cannot build a URL for database \(database)")
            }
            return url
        }

        func execute(_ sql: String) async throws {
            let argv = [psql, "-X", "-q", "-w", "-v", "ON_ERROR_STOP=1", "--dbname=\(adminURL)", "-c", sql]
            try await Command.run(argv).check()
        }
    }

    /// Starts at most one private server per process, however many tests ask at once.
    private actor Registry {
        static let shared = Registry()

        // A remembered start, not a stray task: every caller awaits the same one, and a failed start is
        // reported to all of them.
        private var start: Task<RunningServer, any Error>?

        func server() async throws -> RunningServer {
            let environment = ProcessInfo.processInfo.environment
            if let url = environment["SLIPWAY_TEST_POSTGRES_URL"], !url.isEmpty {
                var components = URLComponents(string: url)
                components?.path = "/postgres"
                guard let adminURL = components?.string else {
                    throw PostgresTestServerError("SLIPWAY_TEST_POSTGRES_URL is not a URL: \(url)")
                }
                return RunningServer(adminURL: adminURL, psql: try Tools.psql())
            }
            if let start {
                return try await start.value
            }
            let task = Task { try await PrivateServer.start() }
            start = task
            return try await task.value
        }
    }

    /// Where the PostgreSQL programs are.
    private enum Tools {
        /// The newest `/usr/lib/postgresql/<version>/bin` that has the server programs, or `$PG_BINDIR`.
        static func binDirectory() throws -> String {
            let fileManager = FileManager.default
            if let directory = ProcessInfo.processInfo.environment["PG_BINDIR"], !directory.isEmpty {
                return directory
            }
            let root = "/usr/lib/postgresql"
            let versions = (try? fileManager.contentsOfDirectory(atPath: root)) ?? []
            let candidates = versions.sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { "\(root)/\($0)/bin" }
            for directory in candidates where fileManager.isExecutableFile(atPath: "\(directory)/initdb") {
                return directory
            }
            throw PostgresTestServerError(
                "no PostgreSQL server under \(root)/*/bin: install postgresql, or set SLIPWAY_TEST_POSTGRES_URL")
        }

        static func psql() throws -> String {
            if let directory = try? binDirectory(), FileManager.default.isExecutableFile(atPath: "\(directory)/psql") {
                return "\(directory)/psql"
            }
            return try Command.resolve("psql")
        }
    }

    /// The private server of this process.
    private enum PrivateServer {
        static let waitDeadline: Duration = .seconds(30)

        static func start() async throws -> RunningServer {
            let binDirectory = try Tools.binDirectory()
            let asOwner = try ownerPrefix()
            let directory = try makeTemporaryDirectory()
            let dataDirectory = directory + "/data"
            let socketDirectory = directory + "/sock"
            let logFile = directory + "/postgres.log"
            do {
                try FileManager.default.createDirectory(atPath: socketDirectory, withIntermediateDirectories: false)
                if geteuid() == 0 {
                    try giveToPostgresUser(directory)
                    try giveToPostgresUser(socketDirectory)
                }
                try await Command.run(
                    asOwner + [
                        "\(binDirectory)/initdb", "-D", dataDirectory, "-U", "postgres", "--auth=trust",
                        "--encoding=UTF8", "--locale=C", "--no-sync",
                    ]
                ).check()
                try append(
                    """

                    # slipway test server
                    listen_addresses = '127.0.0.1'
                    unix_socket_directories = '\(socketDirectory)'
                    max_connections = 300
                    fsync = off
                    synchronous_commit = off
                    full_page_writes = off

                    """, to: dataDirectory + "/postgresql.conf")

                var lastFailure = ""
                for _ in 1...3 {
                    // The port is free now; if another process takes it first, postgres exits and we retry.
                    let port = try LoopbackSocket.freePort()
                    try append("port = \(port)\n", to: dataDirectory + "/postgresql.conf")
                    let server = RunningServer(
                        adminURL: "postgres://postgres@127.0.0.1:\(port)/postgres", psql: "\(binDirectory)/psql")
                    // postgres runs as our child, not daemonized by pg_ctl: Foundation's Process learns that a
                    // command ended when every holder of a socket it passes down has exited, so `pg_ctl start`
                    // would look as if it never finished.
                    let process = try launch(
                        asOwner + ["\(binDirectory)/postgres", "-D", dataDirectory], logFile: logFile)
                    switch try await waitUntilReady(server, process: process) {
                    case .ready:
                        if let pid = postmasterPID(dataDirectory: dataDirectory) {
                            ExitCleanup.shared.add(pid: pid, dataDirectory: dataDirectory, directory: directory)
                        }
                        log("started PostgreSQL at \(server.adminURL) (directory \(directory), log \(logFile))")
                        return server
                    case .exited:
                        lastFailure = tail(of: logFile)
                    case .timedOut(let last):
                        process.terminate()
                        throw PostgresTestServerError(
                            "PostgreSQL at \(server.adminURL) did not answer within \(waitDeadline): \(last)\n"
                                + tail(of: logFile))
                    }
                }
                throw PostgresTestServerError("PostgreSQL did not start:\n\(lastFailure)")
            } catch {
                if postmasterPID(dataDirectory: dataDirectory) == nil {
                    try? FileManager.default.removeItem(atPath: directory)
                }
                throw error
            }
        }

        enum Readiness {
            case ready
            case exited
            case timedOut(String)
        }

        /// Polls with `SELECT 1` until the server answers, its process exits, or the deadline passes.
        static func waitUntilReady(_ server: RunningServer, process: Process) async throws -> Readiness {
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: waitDeadline)
            var last = ""
            while clock.now < deadline {
                guard process.isRunning else {
                    return .exited
                }
                let probe = try await Command.run(
                    [server.psql, "-X", "-q", "-w", "--dbname=\(server.adminURL)", "-c", "SELECT 1"],
                    timeout: .seconds(10))
                if probe.status == 0 {
                    return .ready
                }
                last = probe.describe()
                try await Task.sleep(for: .milliseconds(100))
            }
            return .timedOut(last)
        }

        /// Starts a long-running program with its output appended to `logFile`; nobody waits for it.
        static func launch(_ argv: [String], logFile: String) throws -> Process {
            guard let program = argv.first else {
                throw PostgresTestServerError("empty command")
            }
            let fileManager = FileManager.default
            guard fileManager.fileExists(atPath: logFile) || fileManager.createFile(atPath: logFile, contents: nil),
                let log = FileHandle(forWritingAtPath: logFile)
            else {
                throw PostgresTestServerError("cannot open \(logFile)")
            }
            defer { try? log.close() }
            try log.seekToEnd()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try Command.resolve(program))
            process.arguments = Array(argv.dropFirst())
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = log
            process.standardError = log
            do {
                try process.run()
            } catch {
                throw PostgresTestServerError("cannot run \(program): \(error)")
            }
            return process
        }

        /// `runuser -u postgres --` when we are root (PostgreSQL refuses to run as root), else nothing.
        static func ownerPrefix() throws -> [String] {
            guard geteuid() == 0 else {
                return []
            }
            return [try Command.resolve("runuser"), "-u", "postgres", "--"]
        }

        static func makeTemporaryDirectory() throws -> String {
            // Under /tmp rather than $TMPDIR: the postgres user must be able to reach it.
            var template = Array("/tmp/slipway-pg-test.XXXXXX".utf8CString)
            let created = template.withUnsafeMutableBufferPointer { buffer -> Bool in
                guard let base = buffer.baseAddress else {
                    return false
                }
                return mkdtemp(base) != nil
            }
            guard created else {
                throw PostgresTestServerError("mkdtemp failed: errno \(errno)")
            }
            return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }

        static func giveToPostgresUser(_ path: String) throws {
            guard let entry = getpwnam("postgres") else {
                throw PostgresTestServerError("running as root but there is no 'postgres' user: install postgresql")
            }
            guard chown(path, entry.pointee.pw_uid, entry.pointee.pw_gid) == 0 else {
                throw PostgresTestServerError("chown \(path) to postgres failed: errno \(errno)")
            }
        }

        static func append(_ text: String, to path: String) throws {
            guard let handle = FileHandle(forWritingAtPath: path) else {
                throw PostgresTestServerError("cannot open \(path) for writing")
            }
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(text.utf8))
        }

        static func postmasterPID(dataDirectory: String) -> pid_t? {
            guard let contents = try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8),
                let first = contents.split(separator: "\n").first
            else {
                return nil
            }
            return pid_t(first.trimmingCharacters(in: .whitespaces))
        }

        static func tail(of path: String) -> String {
            guard let contents = try? String(contentsOfFile: path, encoding: .utf8) else {
                return ""
            }
            return contents.split(separator: "\n", omittingEmptySubsequences: false).suffix(20).joined(separator: "\n")
        }

        static func log(_ message: String) {
            FileHandle.standardError.write(Data("PostgresTestServer: \(message)\n".utf8))
        }
    }

    /// Stops the private server when the process exits. `atexit` takes a C function that cannot capture
    /// anything, so this one object is global; its state is only touched under its lock.
    private final class ExitCleanup: @unchecked Sendable {
        static let shared = ExitCleanup()

        private struct Entry {
            let pid: pid_t
            let dataDirectory: String
            let directory: String
        }

        private let lock = NSLock()
        private var entries: [Entry] = []
        private var registered = false

        func add(pid: pid_t, dataDirectory: String, directory: String) {
            lock.lock()
            defer { lock.unlock() }
            entries.append(Entry(pid: pid, dataDirectory: dataDirectory, directory: directory))
            if !registered {
                registered = true
                atexit { PostgresTestServer.ExitCleanup.shared.stopAll() }
            }
        }

        private func stopAll() {
            lock.lock()
            let stopping = entries
            entries = []
            lock.unlock()
            for entry in stopping {
                // SIGINT is PostgreSQL's "fast" shutdown; it removes postmaster.pid when it is done.
                kill(entry.pid, SIGINT)
                var waited = 0
                while waited < 100, kill(entry.pid, 0) == 0,
                    FileManager.default.fileExists(atPath: entry.dataDirectory + "/postmaster.pid")
                {
                    usleep(100_000)
                    waited += 1
                }
                if waited == 100 {
                    kill(entry.pid, SIGKILL)
                }
                try? FileManager.default.removeItem(atPath: entry.directory)
            }
        }
    }

    /// What a finished command left behind.
    private struct CommandResult: Sendable {
        let argv: [String]
        let status: Int32
        let output: String
        let errorOutput: String

        @discardableResult
        func check() throws -> CommandResult {
            guard status == 0 else {
                throw PostgresTestServerError(describe())
            }
            return self
        }

        func describe() -> String {
            let shown = argv.map { $0.contains("@") && $0.contains(":") ? "<url>" : $0 }.joined(separator: " ")
            var text = "`\(shown)` exited with status \(status)"
            let stderr = errorOutput.trimmingCharacters(in: .whitespacesAndNewlines)
            if !stderr.isEmpty {
                text += ":\n" + stderr
            }
            return text
        }
    }

    /// Runs programs by argument array, with a deadline, without blocking a thread while they run.
    private enum Command {
        static func resolve(_ name: String) throws -> String {
            if name.hasPrefix("/") {
                return name
            }
            let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
            let directories = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
            for directory in directories where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
                return "\(directory)/\(name)"
            }
            throw PostgresTestServerError("\(name) not found on PATH")
        }

        static func run(_ argv: [String], timeout: Duration = .seconds(60)) async throws -> CommandResult {
            guard let program = argv.first else {
                throw PostgresTestServerError("empty command")
            }
            let fileManager = FileManager.default
            // Output goes to files, not pipes: nothing has to drain them while the command runs.
            let scratch = fileManager.temporaryDirectory.appendingPathComponent("slipway-command-\(UUID().uuidString)")
            try fileManager.createDirectory(at: scratch, withIntermediateDirectories: true)
            defer { try? fileManager.removeItem(at: scratch) }
            let outputPath = scratch.appendingPathComponent("stdout").path
            let errorPath = scratch.appendingPathComponent("stderr").path
            guard fileManager.createFile(atPath: outputPath, contents: nil),
                fileManager.createFile(atPath: errorPath, contents: nil),
                let outputHandle = FileHandle(forWritingAtPath: outputPath),
                let errorHandle = FileHandle(forWritingAtPath: errorPath)
            else {
                throw PostgresTestServerError("cannot create output files in \(scratch.path)")
            }

            var environment = ProcessInfo.processInfo.environment
            environment["PGCONNECT_TIMEOUT"] = "10"
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try resolve(program))
            process.arguments = Array(argv.dropFirst())
            process.environment = environment
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = outputHandle
            process.standardError = errorHandle
            let (exits, exited) = AsyncStream.makeStream(of: Int32.self, bufferingPolicy: .bufferingNewest(1))
            process.terminationHandler = { finished in
                exited.yield(finished.terminationStatus)
                exited.finish()
            }
            do {
                try process.run()
            } catch {
                try? outputHandle.close()
                try? errorHandle.close()
                throw PostgresTestServerError("cannot run \(program): \(error)")
            }
            try? outputHandle.close()
            try? errorHandle.close()

            let status = await withTaskGroup(of: Int32?.self) { group in
                group.addTask {
                    for await status in exits {
                        return status
                    }
                    return nil
                }
                group.addTask {
                    try? await Task.sleep(for: timeout)
                    return nil
                }
                let first = await group.next() ?? nil
                group.cancelAll()
                return first
            }
            guard let status else {
                process.terminate()
                throw PostgresTestServerError(
                    Task.isCancelled
                        ? "cancelled while running \(program)" : "\(program) did not finish within \(timeout)")
            }
            let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            let errorOutput = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
            return CommandResult(argv: argv, status: status, output: output, errorOutput: errorOutput)
        }
    }
}

/// A failure of the PostgreSQL test helper, with what the failing command printed.
public struct PostgresTestServerError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, including the command and its standard error where there was one.
    public let message: String

    init(_ message: String) {
        self.message = message
    }

    public var description: String { "PostgresTestServer: \(message)" }
}
