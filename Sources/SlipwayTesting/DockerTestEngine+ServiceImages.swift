import Foundation
import SlipwayDrivers

extension DockerTestEngine {
    /// The registry and Caddy images verification starts on a server, built into the test engine from
    /// Debian's packages by `scripts/images`.
    public static let registryImage = "slipway/registry:debian"
    public static let proxyImage = "slipway/caddy:debian"

    /// Makes sure the test engine holds ``registryImage`` and ``proxyImage``.
    public static func ensureServiceImages() async throws {
        try await ensureImages(["registry", "caddy"])
    }

    /// Runs `scripts/images --socket ENGINE NAMES...` once per name and process (the script skips what the
    /// engine already has), so tests can rely on the images it builds: `registry`, `caddy`, `busybox`,
    /// `debian`, `postgres`, `odoo-standin`.
    public static func ensureImages(_ names: [String]) async throws {
        let socket = try await socketPath()
        for name in names {
            try await ImageBuilds.shared.build(name, socketPath: socket)
        }
    }

    private actor ImageBuilds {
        static let shared = ImageBuilds()
        private var builds: [String: Task<Void, any Error>] = [:]

        func build(_ name: String, socketPath: String) async throws {
            if let build = builds[name] { return try await build.value }
            let task = Task {
                let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                    .appendingPathComponent("../../scripts/images").standardizedFileURL.path
                let process = try LocalProcess.start(
                    ["bash", script, "--socket", socketPath, name], environment: ProcessInfo.processInfo.environment)
                let result = await process.collect()
                guard result.termination.exitCode == 0 else {
                    throw DockerTestEngineError(
                        "scripts/images \(name) failed: \(String(decoding: result.stdout + result.stderr, as: UTF8.self).suffix(2_000))"
                    )
                }
            }
            builds[name] = task
            try await task.value
        }
    }
}
