import Foundation
import Hummingbird
import HummingbirdTesting
import SlipwayCore
import SlipwayTesting
import Testing

@testable import SlipwayCLI

/// `--follow` and `deploy follow`: the deployment's event stream on a live control plane, driven by
/// `PipelineStandIn`; polling a server without the stream; and what is printed as steps change.
@Suite("deploy watch")
struct DeployWatchTests {
    @Test("deploy --follow prints each step with its output and duration; a failure prints its output, exit 1")
    func followsAFailure() async throws {
        try await ServerCommandTests.withCLI { plane, cli, _ in
            let world = try await DeployCommandTests.world(plane, cli)
            let result = try await PipelineStandIn.run(
                plane, cli: cli, ["deploy", "--project", world.projectId, "--branch", "main", "--follow"],
                failing: .healthCheck)
            #expect(result.code == 1, "\(result.err)")
            #expect(result.err.contains("Deploying main (deployment dep_"), "\(result.err)")
            let id = try #require(
                try await plane.store.deployments(
                    organizationId: plane.organization.id, projectId: world.projectId, page: try PageRequest()
                )?.items.first?.id)
            let steps = [
                "[1/9] pre-deploy-snapshot", "  pg_dump: dumping shop_web", "[1/9] pre-deploy-snapshot completed (2 s)",
                "[2/9] clone", "  Cloning into 'src'...", "[2/9] clone completed (1 s)",
                "[3/9] build", "  Step 1/2 : FROM odoo:17", "  Step 2/2 : COPY addons /mnt/extra-addons",
                "[3/9] build completed (1 min 05 s)", "[4/9] push", "[4/9] push completed (3 s)",
                "[5/9] update-container", "  started shop-web-green", "[5/9] update-container completed (4 s)",
                "[6/9] module-update", "  odoo -u all: 12 modules", "[6/9] module-update completed (20 s)",
                "[7/9] health-check", "  GET / answered 502", "  GET / answered 502 ?[31m(gave up)?[0m",
                "[7/9] health-check failed (30 s)",
            ]
            let summary = [
                "deployment \(id) failed at health-check in 2 min 05 s",
                "commit: 3f2a9c1e5b7d \"Fix the invoice totals\" by Ada (main)",
                "reason: health-check failed: the old version still serves", "health-check output:",
                "  GET / answered 502", "  GET / answered 502 ?[31m(gave up)?[0m",
            ]
            #expect(result.out.split(separator: "\n").map(String.init) == steps + summary, "\(result.out)")
            let metrics = plane.backend.metrics.render()
            #expect(
                metrics.contains(
                    #"route="/api/projects/{projectId}/deployments/{deploymentId}/events",status="200""#),
                "the CLI followed the event stream: \(metrics)")
        }
    }

    @Test("deploy follow of a queued deployment prints a skipped step in its place and exits 0 once completed")
    func followsACompletion() async throws {
        try await ServerCommandTests.withCLI { plane, cli, _ in
            let world = try await DeployCommandTests.world(plane, cli, kind: .generic)
            let queued = await cli.run(["deploy", "--project", world.projectId, "--branch", "main", "--json"])
            let deployment = try JSONCoding.decoder().decode(Deployment.self, from: Data(queued.out.utf8))
            let result = try await PipelineStandIn.run(
                plane, cli: cli, ["deploy", "follow", "--deployment", deployment.id])
            #expect(result.code == 0, "\(result.err)")
            let lines = result.out.split(separator: "\n").map(String.init)
            let starts = lines.filter { $0.hasPrefix("[") && !$0.contains(" completed") }
            #expect(
                starts == [
                    "[1/9] pre-deploy-snapshot", "[2/9] clone", "[3/9] build", "[4/9] push", "[5/9] update-container",
                    "[6/9] module-update skipped", "[7/9] health-check", "[8/9] switch-traffic", "[9/9] drain",
                ], "\(result.out)")
            #expect(lines.contains("[9/9] drain completed (5 s)"), "\(result.out)")
            #expect(
                lines.suffix(2) == [
                    "deployment \(deployment.id) completed in 1 min 51 s",
                    "commit: 3f2a9c1e5b7d \"Fix the invoice totals\" by Ada (main)",
                ], "\(result.out)")
        }
    }

    @Test("a server without the event stream (404) is polled instead")
    func pollsAnOlderServer() async throws {
        // Named for what it stands in for: a control plane from before the event stream, which cannot run here.
        let requests = RestoreWatchTests.Requests()
        let queued = Deployment(
            id: "dep_1", organizationId: "org_1", projectId: "prj_1", environmentId: "env_1", triggerType: .manual,
            branch: "main")
        var done = queued
        done.status = .completed
        done.steps = done.steps.map { Step(name: $0.name, status: .completed, output: "ok\n", durationMs: 3000) }
        done.durationMs = 27000
        let ended = done
        let router = Router()
        router.middlewares.add(
            RestoreWatchTests.RecordingMiddleware<BasicRequestContext> { path in _ = await requests.add(path) })
        router.get("/api/deployments/dep_1") { _, _ in try Self.json(queued) }
        router.get("/api/projects/prj_1/deployments/dep_1") { _, _ in
            let asked = await requests.paths.filter { $0.hasSuffix("/deployments/dep_1") }.count
            return try Self.json(asked < 3 ? queued : ended)
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let cli = InProcessCLI(
                home: directory.path, extra: ["SLIPWAY_URL": "http://127.0.0.1:\(port)", "SLIPWAY_TOKEN": "slw_test"])
            let followed = await cli.run(["deploy", "follow", "--deployment", "dep_1"])
            #expect(followed.code == 0, "\(followed.err)")
            #expect(
                followed.out.hasPrefix("[1/9] pre-deploy-snapshot\n  ok\n[1/9] pre-deploy-snapshot completed (3 s)\n"),
                "\(followed.out)")
            #expect(followed.out.hasSuffix("deployment dep_1 completed in 27 s\ncommit: not resolved yet (main)"))
            let paths = await requests.paths
            #expect(paths.contains("/api/projects/prj_1/deployments/dep_1/events"), "\(paths)")
            #expect(paths.filter { $0.hasSuffix("/deployments/dep_1") }.count >= 3, "polled until it ended: \(paths)")
        }
    }

    static func json(_ deployment: Deployment) throws -> Response {
        let body = String(decoding: try JSONCoding.encoder().encode(deployment), as: UTF8.self)
        return Response(
            status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    @Test("the log holds back a line still being written, and prints a resumed step's output again")
    func log() {
        var log = DeployWatch.Log(total: 3)
        let step = Step(name: .build, status: .running, output: "Step 1/3\nStep 2", startedAt: Date())
        #expect(log.lines(for: Step(name: .preDeploySnapshot, status: .skipped), at: 0) == [])
        #expect(log.lines(for: step, at: 1) == ["[1/3] pre-deploy-snapshot skipped", "[2/3] build", "  Step 1/3"])
        #expect(log.lines(for: step, at: 1) == [], "nothing changed")
        var grown = step
        grown.output += "/3\n"
        #expect(log.lines(for: grown, at: 1) == ["  Step 2/3"])
        var resumed = grown
        resumed.output = "again\n"
        #expect(log.lines(for: resumed, at: 1) == ["  again"], "output that shrank starts over")
        var failed = resumed
        failed.status = .failed
        failed.output += "boom"
        failed.completedAt = failed.startedAt.map { $0 + 125 }
        #expect(log.lines(for: failed, at: 1) == ["  boom", "[2/3] build failed (2 min 05 s)"])
        #expect(log.lines(for: Step(name: .push, status: .pending), at: 2) == [])
    }
}
