import Foundation
import SlipwayCore
import SlipwayTesting
import Testing

@testable import SlipwayCLI

/// `slipway deploy` against a live control plane. No engine runs here: a test that follows a deployment
/// drives it with `PipelineStandIn`, which writes the record as the pipeline would (the engine's own tests
/// run the pipeline for real).
@Suite("deploy command")
struct DeployCommandTests {
    /// A project with one environment (production, on `main`) and one instance in it.
    struct World: Sendable {
        var projectId: String
        var environmentId: String
        var instanceId: String
    }

    static func world(_ plane: TestControlPlane, _ cli: InProcessCLI, kind: Project.Kind = .odoo) async throws
        -> World
    {
        let fixture = try await InstanceCommandTests.fixture(plane, kind: kind)
        let environment = try #require(
            try await plane.store.environment(organizationId: plane.organization.id, id: fixture.environmentId))
        let instance = try await InstanceCommandTests.create(cli, fixture, kind == .generic ? ["--port", "8080"] : [])
        return World(projectId: environment.projectId, environmentId: environment.id, instanceId: instance.id)
    }

    @Test("arguments are checked before anything is sent: a ref is required, and must be well formed")
    func argumentChecks() async throws {
        try await ServerCommandTests.withCLI { plane, cli, _ in
            let world = try await Self.world(plane, cli)
            let project = ["deploy", "--project", world.projectId]
            for (extra, says) in [
                ([String](), "give at least one of --branch, --commit and --tag"),
                (["--instance", world.instanceId], "give at least one of"),
                (["--commit", "xyz"], "--commit must be 4 to 40 hexadecimal characters"),
                (["--commit", String(repeating: "a", count: 41)], "--commit must be"),
                (["--branch=-rf"], "--branch is not a valid git ref name"),
                (["--branch", "a..b"], "--branch is not a valid git ref name"),
                (["--tag", "v 1"], "--tag is not a valid git ref name"),
                (["--branch", "main", "--follow", "--timeout", "0"], "--timeout must be a positive number"),
            ] {
                let result = await cli.run(project + extra)
                #expect(result.code == 2, "\(extra): \(result.err)")
                #expect(result.err.contains(says), "\(extra): \(result.err)")
            }
            let listed = await cli.run(["deploy", "list", "--project", world.projectId, "--limit", "101"])
            #expect(listed.code == 2 && listed.err.contains("--limit must be between 1 and 100"))
            let page = try #require(
                try await plane.store.deployments(
                    organizationId: plane.organization.id, projectId: world.projectId, page: try PageRequest()))
            #expect(page.total == 0, "nothing was queued")
        }
    }

    @Test("deploy queues a deployment; list, show and cancel print it; refusals say what to do")
    func deployListShowCancel() async throws {
        try await ServerCommandTests.withCLI { plane, cli, _ in
            let world = try await Self.world(plane, cli)
            let deployed = await cli.run(["deploy", "--project", world.projectId, "--branch", "main"])
            try #require(deployed.code == 0, "\(deployed.err)")
            #expect(deployed.err.contains("Queued deployment dep_"), "\(deployed.err)")
            #expect(deployed.err.contains("slipway deploy follow --deployment dep_"), "\(deployed.err)")
            #expect(deployed.out.contains("queued") && deployed.out.contains(world.instanceId), "\(deployed.out)")

            let json = await cli.run([
                "deploy", "trigger", "--project", world.projectId, "--commit", "abc1234", "--json",
            ])
            try #require(json.code == 0, "\(json.err)")
            let second = try JSONCoding.decoder().decode(Deployment.self, from: Data(json.out.utf8))
            #expect(second.commitSha == "abc1234" && second.status == .queued && second.branch == nil)
            #expect(second.environmentId == world.environmentId, "a commit alone: the project's one environment")
            let jobs = try await plane.store.jobs(organizationId: plane.organization.id, subjectId: second.id)
            #expect(jobs.map(\.kind) == [.deployment])

            let listed = await cli.run(["deploy", "list", "--project", world.projectId, "--limit", "1"])
            let lines = listed.out.split(separator: "\n").map(String.init)
            #expect(lines.count == 2 && lines.first?.hasPrefix("ID") == true, "\(listed.out)")
            #expect(lines.last?.contains(second.id) == true && lines.last?.contains("abc1234") == true)
            #expect(listed.err.contains("Deployments 1 to 1 of 2: --offset 1 shows the next"), "\(listed.err)")
            let older = await cli.run(["deploy", "list", "--project", world.projectId, "--offset", "1"])
            #expect(older.out.contains("main") && !older.out.contains(second.id), "\(older.out)")

            let shown = await cli.run(["deploy", "show", "--deployment", second.id])
            #expect(shown.code == 0, "\(shown.err)")
            for text in ["status:", "queued", "pre-deploy-snapshot:", "module-update:", "pending", world.instanceId] {
                #expect(shown.out.contains(text), "show should print \(text): \(shown.out)")
            }

            let cancelled = await cli.run(["deploy", "cancel", "--deployment", second.id])
            #expect(cancelled.code == 0 && cancelled.out == "Cancelled deployment \(second.id).", "\(cancelled.err)")
            let followed = await cli.run(["deploy", "follow", "--deployment", second.id])
            #expect(followed.code == 1, "a cancelled deployment exits non-zero: \(followed.err)")
            #expect(followed.out.contains("deployment \(second.id) cancelled"), "\(followed.out)")
            #expect(followed.out.contains("reason: cancelled before it started"), "\(followed.out)")
            let again = await cli.run(["deploy", "cancel", "--deployment", second.id])
            #expect(again.code == 1 && again.err.contains("has already ended (cancelled)"), "\(again.err)")
            #expect(again.err.contains("hint: see how it ended with `slipway deploy show --deployment \(second.id)`"))
            let rollback = await cli.run(["deploy", "rollback", "--deployment", second.id])
            #expect(rollback.code == 1 && rollback.err.contains("only a completed deployment"), "\(rollback.err)")

            let missing = await cli.run(["deploy", "show", "--deployment", "dep_nope"])
            #expect(missing.code == 1 && missing.err.contains("slipway deploy list --project"), "\(missing.err)")
            let nowhere = await cli.run(["deploy", "--project", world.projectId, "--branch", "nowhere"])
            #expect(nowhere.code == 1 && nowhere.err.contains("(field: branch)"), "\(nowhere.err)")
            #expect(nowhere.err.contains("hint: a branch deploys to the environment"), "\(nowhere.err)")
            let unknown = await cli.run(["deploy", "--project", "prj_nope", "--branch", "main"])
            #expect(unknown.code == 1 && unknown.err.contains("slipway project list"), "\(unknown.err)")
        }
    }

    @Test("rollback queues the image before a release; a first deployment has nothing to go back to")
    func rollback() async throws {
        try await ServerCommandTests.withCLI { plane, cli, _ in
            let world = try await Self.world(plane, cli)
            let first = try await PipelineStandIn.release(plane, world, before: nil, image: "r/shop@sha256:aaa")
            let second = try await PipelineStandIn.release(
                plane, world, before: "r/shop@sha256:aaa", image: "r/shop@sha256:bbb")
            let refused = await cli.run(["deploy", "rollback", "--deployment", first.id])
            #expect(refused.code == 1 && refused.err.contains("no earlier image to go back to"), "\(refused.err)")

            let queued = await cli.run(["deploy", "rollback", "--deployment", second.id, "--json"])
            try #require(queued.code == 0, "\(queued.err)")
            let rollback = try JSONCoding.decoder().decode(Deployment.self, from: Data(queued.out.utf8))
            #expect(rollback.triggerType == .rollback && rollback.rollbackOf == second.id)
            #expect(rollback.targets.map(\.image) == ["r/shop@sha256:aaa"])
        }
    }
}
