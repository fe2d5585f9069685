import Foundation
import SlipwayCore
import SlipwayTesting

@testable import SlipwayDrivers

/// The bench's hands: `bench/deploy-by-hand.sh`, which deploys the same repository with git, the docker CLI and
/// curl against the same engine and the same Caddy as Slipway, with containers, an image, two networks and a Caddy
/// route (its own host name) of its own.
struct DeployBenchHands: Sendable {
    let script: String
    let environment: [String: String]
    /// The host name of its route in the server's Caddy.
    let host: String
    let proxyPort: Int

    init(_ stage: DeploymentTests.Stage) async throws {
        let name = "bench-hand-" + Identifier.secret(bytes: 4)
        script =
            URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../bench/deploy-by-hand.sh").standardizedFileURL.path
        host = "\(name).localhost"
        proxyPort = stage.world.server.proxyHTTPPort
        var environment = ProcessInfo.processInfo.environment
        let settings: [String: String] = [
            "HAND_SOCKET": try await DockerTestEngine.socketPath(),
            "HAND_DIR": FileManager.default.temporaryDirectory.appendingPathComponent(name).path,
            "HAND_REPO": stage.repository.url, "HAND_BRANCH": "main", "HAND_NAME": name,
            "HAND_BLUE": String(try LoopbackSocket.freePort()), "HAND_GREEN": String(try LoopbackSocket.freePort()),
            "HAND_APP_PORT": String(stage.instance.port ?? 8080), "HAND_HEALTH": stage.instance.healthPath ?? "/",
            "HAND_ADMIN": String(stage.world.server.proxyAdminPort), "HAND_PROXY": String(proxyPort),
            "HAND_HOST": host,
        ]
        environment.merge(settings) { $1 }
        self.environment = environment
    }

    /// Runs `deploy-by-hand.sh COMMAND`; answers its standard output. A non-zero exit throws with its errors.
    @discardableResult
    func run(_ command: String) async throws -> String {
        let process = try LocalProcess.start(["bash", script, command], environment: environment)
        let result = await process.collect()
        guard result.termination.exitCode == 0 else {
            throw SnapshotBenchFailure(
                "deploy-by-hand.sh \(command) exited \(result.termination.exitCode): "
                    + String(decoding: (result.stderr + result.stdout).suffix(2_000), as: UTF8.self))
        }
        return String(decoding: result.stdout, as: UTF8.self)
    }

    /// One deploy by hand of the branch's head; answers its stages (`lap NAME SECONDS` lines) in order.
    func deploy() async throws -> SnapshotBenchLaps {
        var laps = SnapshotBenchLaps()
        for line in try await run("deploy").split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count == 3, fields[0] == "lap", let seconds = Double(fields[2]) else { continue }
            laps.append(String(fields[1]), .milliseconds(Int((seconds * 1000).rounded())))
        }
        guard laps.laps.map(\.name) == ["fetch", "build", "run", "health", "switch", "check", "stop"] else {
            throw SnapshotBenchFailure("deploy-by-hand.sh did not report every stage: \(laps.laps.map(\.name))")
        }
        return laps
    }

    /// What its route answers through Caddy: the status and the page.
    func page() async throws -> String {
        let client = ServiceHTTPClient(endpoint: .tcp(host: "127.0.0.1", port: proxyPort), hostHeader: host)
        let answer = try await client.send(.GET, "/")
        return "\(answer.status) \(String(decoding: answer.body, as: UTF8.self))"
    }
}
