import Foundation
import SlipwayDrivers

extension DockerTestEngine {
    /// The registry and Caddy images verification starts on a server, built into the test engine from
    /// Debian's packages by `scripts/images` (once per process; skipped when the engine has them).
    public static let registryImage = "slipway/registry:debian"
    public static let proxyImage = "slipway/caddy:debian"

    /// Makes sure the test engine holds ``registryImage`` and ``proxyImage``.
    public static func ensureServiceImages() async throws {
        try await ServiceImageBuild.shared.run(socketPath: try await socketPath())
    }

    private actor ServiceImageBuild {
        static let shared = ServiceImageBuild()
        private var build: Task<Void, any Error>?

        func run(socketPath: String) async throws {
            if let build { return try await build.value }
            let task = Task {
                let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                    .appendingPathComponent("../../scripts/images").standardizedFileURL.path
                let process = try LocalProcess.start(
                    ["bash", script, "--socket", socketPath, "registry", "caddy"],
                    environment: ProcessInfo.processInfo.environment)
                let result = await process.collect()
                guard result.termination.exitCode == 0 else {
                    throw DockerTestEngineError(
                        "scripts/images failed: \(String(decoding: result.stdout + result.stderr, as: UTF8.self).suffix(2_000))"
                    )
                }
            }
            build = task
            try await task.value
        }
    }
}
