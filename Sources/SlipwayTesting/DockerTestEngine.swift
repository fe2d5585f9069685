import Foundation
import SlipwayDrivers

#if canImport(Glibc)
    import Glibc
#endif

/// A real Docker engine for tests, with the base image `slipway-test/busybox:latest` in it.
///
/// The engine is `SLIPWAY_TEST_DOCKER_SOCKET` when set (`scripts/test` starts one dockerd for the run),
/// else `/var/run/docker.sock` when it answers, else a private `dockerd` this process starts once, with
/// its data root, exec root, pid file and socket in a directory under `/tmp` and no default bridge (so it
/// never fights another engine over `docker0`). It is stopped when the process exits normally.
///
/// Docker Hub is out of reach here, so the base image is a root file system made from Debian's
/// `busybox-static` (`/bin/busybox` and a link per applet), imported through the Engine API. Tests put
/// containers that need ports on a network of their own.
public enum DockerTestEngine {
    /// The image every test builds from or runs: busybox, with `sh` and the usual applets.
    public static let baseImage = "slipway-test/busybox:latest"

    /// The socket of a running engine that has ``baseImage``.
    public static func socketPath() async throws -> String {
        try await Shared.instance.socketPath()
    }

    /// A client of the test engine.
    public static func client() async throws -> DockerClient {
        DockerClient(endpoint: .unixSocket(try await socketPath()))
    }

    /// A name no other test uses: `slipway-test-<label>-<random>`.
    public static func uniqueName(_ label: String) -> String {
        "slipway-test-\(label)-\(String(UInt64.random(in: 0...UInt64.max), radix: 36))"
    }

    /// Fresh organization, project, environment and instance ids for one test.
    public static func labels(extra: [String: String] = [:]) -> SlipwayLabels {
        SlipwayLabels(
            organizationId: uniqueName("org"), projectId: uniqueName("prj"), environmentId: uniqueName("env"),
            instanceId: uniqueName("ins"), extra: extra)
    }

    /// A request to the engine that bypasses ``DockerClient``: HTTP/1.0 on a fresh connection (the answer
    /// ends when the engine closes it). Tests use it to make objects Slipway does not own, and to check what
    /// the client did by a second path. Blocking, with a two-minute limit: for small test requests only.
    public static func rawRequest(
        _ method: String, _ path: String, body: Data? = nil, contentType: String = "application/json",
        socketPath: String
    ) throws -> (status: Int, body: Data) {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw DockerTestEngineError("socket() failed: errno \(errno)") }
        defer { close(descriptor) }
        var limit = timeval(tv_sec: 120, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw DockerTestEngineError("socket path too long: \(socketPath)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: pathBytes) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else { throw DockerTestEngineError("cannot connect to \(socketPath): errno \(errno)") }
        var head = "\(method) /v\(DockerClient.apiVersion)\(path) HTTP/1.0\r\nHost: docker\r\n"
        if let body {
            head += "Content-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n"
        }
        let request = Data((head + "\r\n").utf8) + (body ?? Data())
        try request.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var sent = 0
            while sent < buffer.count {
                let count = send(descriptor, base + sent, buffer.count - sent, Int32(MSG_NOSIGNAL))
                guard count > 0 else { throw DockerTestEngineError("send failed: errno \(errno)") }
                sent += count
            }
        }
        var response = Data()
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = recv(descriptor, &chunk, chunk.count, 0)
            guard count >= 0 else { throw DockerTestEngineError("recv failed: errno \(errno)") }
            if count == 0 { break }
            response.append(contentsOf: chunk[0..<count])
        }
        guard let split = response.range(of: Data("\r\n\r\n".utf8)),
            let statusLine = String(decoding: response[..<split.lowerBound], as: UTF8.self).split(separator: "\r\n")
                .first,
            let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "")
        else {
            throw DockerTestEngineError("not an HTTP answer: \(String(decoding: response.prefix(200), as: UTF8.self))")
        }
        return (status, Data(response[split.upperBound...]))
    }

    /// Starts or finds the engine once per process, however many tests ask at once.
    private actor Shared {
        static let instance = Shared()
        private var start: Task<String, any Error>?

        func socketPath() async throws -> String {
            if let start {
                return try await start.value
            }
            // A remembered start, not a stray task: every caller awaits it and sees its failure.
            let task = Task { try await DockerTestEngine.prepare() }
            start = task
            return try await task.value
        }
    }

    private static func prepare() async throws -> String {
        let environment = ProcessInfo.processInfo.environment
        let socket: String
        if let given = environment["SLIPWAY_TEST_DOCKER_SOCKET"], !given.isEmpty {
            guard answers(given) else {
                throw DockerTestEngineError("SLIPWAY_TEST_DOCKER_SOCKET=\(given) does not answer")
            }
            socket = given
        } else if answers("/var/run/docker.sock") {
            socket = "/var/run/docker.sock"
        } else {
            socket = try await startDaemon()
        }
        try importBaseImageIfMissing(socketPath: socket)
        return socket
    }

    private static func answers(_ socketPath: String) -> Bool {
        (try? rawRequest("GET", "/_ping", socketPath: socketPath))?.status == 200
    }

    private static func startDaemon() async throws -> String {
        guard let dockerd = executable("dockerd") else {
            throw DockerTestEngineError("no dockerd and no engine to use: install docker.io (scripts/test does)")
        }
        var template = Array("/tmp/slipway-docker-test.XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.map { mkdtemp($0) != nil } ?? false
        }
        guard created else {
            throw DockerTestEngineError("mkdtemp failed: errno \(errno)")
        }
        let directory = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // The socket (group docker) must be reachable by the SSH tests' users, members of that group.
        chmod(directory, 0o711)
        let socket = directory + "/docker.sock"
        let logFile = directory + "/dockerd.log"
        _ = FileManager.default.createFile(atPath: logFile, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: dockerd)
        process.arguments = [
            "--data-root", directory + "/data", "--exec-root", directory + "/exec", "--pidfile",
            directory + "/docker.pid", "--host", "unix://" + socket, "--bridge", "none", "--log-level", "warn",
        ]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle(forWritingAtPath: logFile)
        process.standardError = FileHandle(forWritingAtPath: logFile)
        try process.run()
        ExitCleanup.shared.add(pid: process.processIdentifier, directory: directory)
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(60)
        while clock.now < deadline {
            if answers(socket) {
                FileHandle.standardError.write(Data("DockerTestEngine: started dockerd at \(socket)\n".utf8))
                return socket
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        let log = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
        throw DockerTestEngineError("dockerd did not answer on \(socket):\n\(log.suffix(3_000))")
    }

    /// Imports ``baseImage`` unless the engine has it: `POST /images/create?fromSrc=-` with a tar body.
    private static func importBaseImageIfMissing(socketPath: String) throws {
        let imagePath = "/images/\(baseImage)/json"
        if try rawRequest("GET", imagePath, socketPath: socketPath).status == 200 {
            return
        }
        let busybox = "/bin/busybox"
        guard let binary = FileManager.default.contents(atPath: busybox),
            binary.prefix(4_096).range(of: Data("ld-linux".utf8)) == nil
        else {
            throw DockerTestEngineError("\(busybox) is missing or not static: install busybox-static")
        }
        let list = Process()
        let output = Pipe()
        list.executableURL = URL(fileURLWithPath: busybox)
        list.arguments = ["--list"]
        list.standardOutput = output
        try list.run()
        let applets = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        list.waitUntilExit()

        var root = TarArchive()
        for directory in ["bin", "etc", "root", "tmp", "var"] {
            try root.addDirectory(directory, mode: directory == "tmp" ? 0o1777 : 0o755)
        }
        try root.addFile("bin/busybox", contents: binary, mode: 0o755)
        for applet in applets.split(separator: "\n") where applet != "busybox" && !applet.contains("/") {
            try root.addSymbolicLink("bin/\(applet)", target: "busybox")
        }
        try root.addFile("etc/passwd", text: "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n")
        try root.addFile("etc/group", text: "root:x:0:\nnogroup:x:65534:\n")
        let (repository, tag) = (
            baseImage.split(separator: ":").first ?? "", baseImage.split(separator: ":").last ?? ""
        )
        let answer = try rawRequest(
            "POST", "/images/create?fromSrc=-&repo=\(repository)&tag=\(tag)", body: root.bytes,
            contentType: "application/x-tar", socketPath: socketPath)
        let text = String(decoding: answer.body, as: UTF8.self)
        guard answer.status == 200, !text.contains("\"error\""),
            try rawRequest("GET", imagePath, socketPath: socketPath).status == 200
        else {
            throw DockerTestEngineError("importing \(baseImage) failed (HTTP \(answer.status)): \(text.prefix(2_000))")
        }
    }

    private static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/bin", "/sbin", "/bin"]
        return directories.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Stops the private dockerd when the process exits. `atexit` takes a C function that captures nothing,
    /// so this one object is global; its state is only touched under its lock.
    private final class ExitCleanup: @unchecked Sendable {
        static let shared = ExitCleanup()
        private let lock = NSLock()
        private var daemons: [(pid: pid_t, directory: String)] = []

        func add(pid: pid_t, directory: String) {
            lock.lock()
            defer { lock.unlock() }
            if daemons.isEmpty {
                atexit { DockerTestEngine.ExitCleanup.shared.stopAll() }
            }
            daemons.append((pid, directory))
        }

        private func stopAll() {
            lock.lock()
            let stopping = daemons
            daemons = []
            lock.unlock()
            for daemon in stopping {
                // dockerd removes its pid file once it has shut down (containers and mounts included).
                kill(daemon.pid, SIGTERM)
                let pidFile = daemon.directory + "/docker.pid"
                var waited = 0
                while waited < 300, FileManager.default.fileExists(atPath: pidFile) {
                    usleep(100_000)
                    waited += 1
                }
                if waited == 300 {
                    // Left in place: a data root with live mounts must not be deleted.
                    kill(daemon.pid, SIGKILL)
                } else {
                    // dockerd leaves its default network namespace mounted once a container joined a network.
                    umount2(daemon.directory + "/exec/netns/default", Int32(MNT_DETACH))
                    try? FileManager.default.removeItem(atPath: daemon.directory)
                }
            }
        }
    }
}

/// A failure of the Docker test helper, with what the engine or dockerd said.
public struct DockerTestEngineError: Error, CustomStringConvertible, Sendable {
    public let message: String

    init(_ message: String) {
        self.message = message
    }

    public var description: String { "DockerTestEngine: \(message)" }
}
