import Foundation
import SlipwayDrivers

extension DockerTestEngine {
    /// Debian bookworm with PostgreSQL 15 (its binaries on `PATH`), python3 and psycopg2, made by
    /// `scripts/images debian` with debootstrap. `initdb` and `postgres` must run as the `postgres` user.
    public static let debianPostgresImage = "slipway/debian-postgres:bookworm"

    /// Slipway's Odoo stand-in (`images/odoo-standin/`, not Odoo) on ``debianPostgresImage``, made by
    /// `scripts/images odoo-standin`: the official Odoo image's paths, port, user and entrypoint, with
    /// `/usr/bin/odoo` a small program that serves `/web/health` and records `-u` module updates.
    public static let odooStandinImage = "slipway/odoo-standin:latest"

    /// Makes sure the test engine holds ``odooStandinImage`` and ``debianPostgresImage``: runs
    /// `scripts/images --socket ENGINE odoo-standin` once per process. The script skips what the engine
    /// has and rebuilds the stand-in when its files changed; the first debian build takes a minute or two
    /// (`scripts/test` builds both before the tests).
    public static func ensureOdooStandinImage() async throws {
        try await OdooImageBuild.shared.run(socketPath: try await socketPath())
    }

    private actor OdooImageBuild {
        static let shared = OdooImageBuild()
        /// debootstrap measured 2.2 minutes here; this only stops a hung mirror from hanging the tests.
        static let deadline = Duration.seconds(15 * 60)
        private var build: Task<Void, any Error>?

        func run(socketPath: String) async throws {
            if let build { return try await build.value }
            let task = Task { try await Self.buildImages(socketPath: socketPath) }
            build = task
            try await task.value
        }

        private static func buildImages(socketPath: String) async throws {
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("../../scripts/images").standardizedFileURL.path
            let process = try LocalProcess.start(
                ["bash", script, "--socket", socketPath, "odoo-standin"],
                environment: ProcessInfo.processInfo.environment)
            // The first to finish wins; cancelling `collect()` terminates the script.
            let result = try await withThrowingTaskGroup(
                of: (termination: LocalProcess.Termination, stdout: Data, stderr: Data)?.self
            ) { group in
                group.addTask { await process.collect() }
                group.addTask {
                    try await Task.sleep(for: deadline)
                    return nil
                }
                let first = try await group.next() ?? nil
                group.cancelAll()
                return first
            }
            guard let result else {
                throw DockerTestEngineError("scripts/images odoo-standin took longer than \(deadline); stopped it")
            }
            guard result.termination.exitCode == 0 else {
                let output = String(decoding: result.stdout + result.stderr, as: UTF8.self)
                throw DockerTestEngineError("scripts/images odoo-standin failed: \(output.suffix(2_000))")
            }
        }
    }
}
