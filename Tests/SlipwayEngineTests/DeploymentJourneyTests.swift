import Crypto
import Foundation
import Logging
import SlipwayCore
import SlipwayStore
import SlipwayTesting
import Testing

@testable import SlipwayDrivers
@testable import SlipwayEngine

/// The "done when", with the built binaries: a user commits, runs `slipway deploy --branch main
/// --follow` against `slipway serve` (its job runner runs the pipeline on this machine), watches the
/// steps, sees the new version live while requests keep flowing without a failure, breaks the next
/// version, sees that deploy fail with the old version still serving, and rolls back with one command.
@Suite("A deployment journey with the CLI", .serialized)
struct DeploymentJourneyTests {
    /// What the CLI printed and how it exited.
    struct Run: CustomStringConvertible {
        let code: Int32
        let out: String
        var description: String { "exit \(code):\n\(out)" }
    }

    static func cli(_ binary: String, url: String, token: String, _ arguments: [String]) async throws -> Run {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SLIPWAY_") }
        environment["SLIPWAY_URL"] = url
        environment["SLIPWAY_TOKEN"] = token
        environment["HOME"] = FileManager.default.temporaryDirectory.path
        let process = try LocalProcess.start([binary] + arguments, environment: environment)
        let result = await process.collect()
        return Run(
            code: result.termination.exitCode,
            out: String(decoding: result.stdout, as: UTF8.self) + String(decoding: result.stderr, as: UTF8.self))
    }

    /// Requests through the proxy one after another until cancelled: how many, and the failures.
    actor Load {
        var sent = 0
        var failures: [String] = []

        func record(_ status: Int?, _ detail: String) {
            sent += 1
            if status != 200 { failures.append(detail) }
        }
    }

    @Test(
        "deploy --follow, a live version with no failed request, a broken deploy that leaves it serving, a rollback",
        .enabled(if: DeploymentCrashTests.binary != nil, "skipped: no .build/debug/slipway"),
        .timeLimit(.minutes(6)))
    func journey() async throws {
        let binary = try #require(DeploymentCrashTests.binary)
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "slipway-journey-\(UUID().uuidString.prefix(8))"
        ).path
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        let store = try await SQLStore.open(
            dataDirectory: dataDirectory, databaseURL: nil, logger: Logger(label: "slipway.test"))
        defer { Task { try? await store.close() } }
        try await DeploymentTests.withStage(first: DeploymentTests.app("1"), store: store) { stage in
            let secret = "slw_" + Identifier.secret(bytes: 32)
            try await store.createToken(
                APIToken(
                    kind: .apiKey, name: "journey", prefix: String(secret.prefix(12)),
                    organizationId: stage.instance.organizationId, userId: nil,
                    permissions: [.manage(.deployments), .view(.projects), .view(.instances)]),
                secretHash: SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined())
            let port = try LoopbackSocket.freePort()
            let url = "http://127.0.0.1:\(port)"
            let control = try await DeploymentCrashTests.serveAnswering(
                binary, dataDirectory: dataDirectory, port: port)
            defer { control.send(SIGKILL) }
            let project = stage.project.id

            // The first version, followed step by step.
            let first = try await Self.cli(
                binary, url: url, token: secret, ["deploy", "--project", project, "--branch", "main", "--follow"])
            #expect(first.code == 0, "\(first)")
            #expect(first.out.contains("[3/9] build"), "\(first)")
            #expect(first.out.contains("completed"), "\(first)")
            #expect(try await DeploymentTests.page(stage) == "200 version 1\n")

            // The second, while requests flow through the proxy: none fails.
            try await stage.repository.commit(DeploymentTests.app("2"), message: "second version")
            let load = Load()
            let second = try await withThrowingTaskGroup(of: Run?.self) { group in
                group.addTask {
                    while !Task.isCancelled {
                        do {
                            let answer = try await InstanceLifecycleTests.throughProxy(stage.world, stage.instance)
                            await load.record(answer.status, "HTTP \(answer.status) \(answer.body.prefix(80))")
                        } catch  where !Task.isCancelled {
                            await load.record(nil, "\(error)")
                        } catch {
                            // The deploy ended and the load was stopped mid-request: not a failure of the app.
                        }
                        try? await Task.sleep(for: .milliseconds(20))
                    }
                    return nil
                }
                let run = try await Self.cli(
                    binary, url: url, token: secret, ["deploy", "--project", project, "--branch", "main", "--follow"])
                group.cancelAll()
                return run
            }
            #expect(second.code == 0, "\(second)")
            #expect(try await DeploymentTests.page(stage) == "200 version 2\n")
            let sent = await load.sent
            let failures = await load.failures
            #expect(sent > 20 && failures.isEmpty, "\(sent) requests, failed: \(failures.prefix(5))")

            // A broken version: the deploy fails, says where, exits 1; version 2 still answers.
            var broken = DeploymentTests.app("3")
            broken["Dockerfile"] =
                "FROM \(DockerTestEngine.baseImage)\nCMD [\"sh\", \"-c\", \"echo cannot start; exit 4\"]\n"
            try await stage.repository.commit(broken, message: "a broken version")
            let failed = try await Self.cli(
                binary, url: url, token: secret, ["deploy", "--project", project, "--branch", "main", "--follow"])
            #expect(failed.code == 1, "\(failed)")
            #expect(failed.out.contains("health-check"), "\(failed)")
            #expect(try await DeploymentTests.page(stage) == "200 version 2\n")

            // One command back to version 1, with its data.
            let release = try #require(
                try await store.lastCompletedDeployment(
                    organizationId: stage.instance.organizationId, instanceId: stage.instance.id, before: nil))
            let rollback = try await Self.cli(
                binary, url: url, token: secret, ["deploy", "rollback", "--deployment", release.id, "--follow"])
            #expect(rollback.code == 0, "\(rollback)")
            #expect(try await DeploymentTests.page(stage) == "200 version 1\n")
        }
    }
}
