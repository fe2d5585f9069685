import Foundation
import Testing

@testable import SlipwayCLI

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `slipway serve` as a subprocess on a loopback port, with its own data directory.
final class LiveServer: @unchecked Sendable {
    let url: String
    let initialToken: String
    private let process: Process
    private let logPath: String

    private init(url: String, initialToken: String, process: Process, logPath: String) {
        self.url = url
        self.initialToken = initialToken
        self.process = process
        self.logPath = logPath
    }

    /// Starts the server, waits until `/healthz` answers 200 and the initial token is written.
    static func start(binary: String, dataDir: String, port: Int, deadline seconds: Double = 60) async throws
        -> LiveServer
    {
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        let logPath = dataDir + "/../server.log"
        // No job runner: these tests verify no server, and one would verify `local` against this machine's Docker.
        let process = try makeProcess(
            binary, ["serve", "--data-dir", dataDir, "--port", String(port), "--host", "127.0.0.1", "--no-job-runner"],
            environment: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SLIPWAY_") },
            stdout: logPath, stderr: logPath + ".err")
        try process.run()

        let url = "http://127.0.0.1:\(port)"
        let client = APIClient(baseURL: url, token: nil, org: nil)
        let start = Date()
        while true {
            guard process.isRunning else {
                throw ServerFailed(
                    message: "`slipway serve` exited with \(process.terminationStatus):\n\(tail(logPath))")
            }
            if let reply = try? await client.send(.get, "/healthz", body: nil), reply.status == 200,
                let token = FileManager.default.contents(atPath: dataDir + "/initial-token")
            {
                let text = String(decoding: token, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                if !text.isEmpty {
                    return LiveServer(url: url, initialToken: text, process: process, logPath: logPath)
                }
            }
            if Date().timeIntervalSince(start) > seconds {
                process.terminate()
                throw ServerFailed(
                    message:
                        "`slipway serve` did not answer /healthz with an initial token within \(Int(seconds)) s:\n\(tail(logPath))"
                )
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// SIGTERM, then up to `seconds` for a graceful exit; SIGKILL after that. Answers whether it exited on its own.
    func stop(within seconds: Double = 15) async -> Bool {
        guard process.isRunning else { return true }
        process.terminate()
        let start = Date()
        while process.isRunning, Date().timeIntervalSince(start) < seconds {
            try? await Task.sleep(for: .milliseconds(100))
        }
        guard process.isRunning else { return true }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return false
    }

    func logTail() -> String {
        Self.tail(logPath) + "\n" + Self.tail(logPath + ".err")
    }

    private static func tail(_ path: String, lines: Int = 40) -> String {
        let text = String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    struct ServerFailed: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    deinit {
        // A test that threw before stop() must not leave a server behind.
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
    }
}
