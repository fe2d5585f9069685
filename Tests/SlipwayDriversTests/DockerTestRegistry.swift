import Foundation
import SlipwayTesting

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Docker's registry (Debian's `docker-registry`) on a free port of 127.0.0.1, storing into a temporary
/// directory, for as long as a test body runs. The engine pushes to loopback registries without TLS.
enum DockerTestRegistry {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Starts a registry, runs `body` with its address (`127.0.0.1:PORT`), then stops it and deletes its data.
    static func with<Value>(_ body: (String) async throws -> Value) async throws -> Value {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("slipway-registry-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (process, address) = try await start(in: directory)
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        return try await body(address)
    }

    /// A GET to the registry's HTTP API, like `/v2/_catalog`.
    static func get(_ address: String, _ path: String) async throws -> (status: Int, body: String) {
        guard let url = URL(string: "http://\(address)\(path)") else { throw Failure(description: "bad path \(path)") }
        let (data, response) = try await URLSession.shared.data(from: url)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    private static func start(in directory: URL) async throws -> (Process, String) {
        guard
            let program = ["/usr/bin/docker-registry", "/usr/local/bin/docker-registry"]
                .first(where: FileManager.default.isExecutableFile(atPath:))
        else {
            throw Failure(description: "docker-registry is not installed (apt-get install docker-registry)")
        }
        var lastLog = ""
        for _ in 1...3 {
            // Free a moment ago; if something takes it first the registry exits and we try another.
            let address = "127.0.0.1:\(try LoopbackSocket.freePort())"
            let config = directory.appendingPathComponent("config.yml")
            try """
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: \(directory.path)/storage
              delete:
                enabled: true
            http:
              addr: \(address)

            """.write(to: config, atomically: true, encoding: .utf8)
            let logFile = directory.appendingPathComponent("registry.log")
            _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = ["serve", config.path]
            process.standardOutput = try FileHandle(forWritingTo: logFile)
            process.standardError = try FileHandle(forWritingTo: logFile)
            try process.run()
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(20)
            while clock.now < deadline, process.isRunning {
                if (try? await get(address, "/v2/"))?.status == 200 {
                    return (process, address)
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
            lastLog = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        }
        throw Failure(description: "docker-registry did not start:\n\(lastLog.suffix(2_000))")
    }
}
