import Foundation
import Logging
import SlipwayCore
import SlipwayStore
import SlipwayTesting
import Testing

@testable import SlipwayDrivers
@testable import SlipwayEngine

/// The deployment pipeline on a real server (this machine, its engine the test engine): a git repository
/// made by the test, cloned into the server's mirror, built, pushed into the server's registry, started
/// in the idle colour, checked, switched in the server's Caddy and drained. What is asserted is what a
/// user sees: which version answers through the proxy, and what the database holds.
@Suite("Deployments", .serialized)
struct DeploymentTests {
    typealias World = InstanceLifecycleTests.World

    /// One instance of a project whose repository is `repository`, and the pipeline that deploys it.
    struct Stage {
        let world: World
        let repository: GitTestRepository
        let project: Project
        let instance: Instance
        let pipeline: DeploymentPipeline
    }

    /// A generic app: busybox's httpd serving `www/`, whose page says its version. It stops on SIGTERM,
    /// as an app should (httpd as PID 1 would ignore it and wait for the engine's SIGKILL).
    static func app(_ version: String) -> [String: String?] {
        [
            "Dockerfile": """
            FROM \(DockerTestEngine.baseImage)
            COPY www /www
            CMD ["sh", "-c", "httpd -f -p 8080 -h /www & trap 'kill $!; exit 0' TERM; wait"]
            """,
            "www/index.html": "version \(version)\n",
        ]
    }

    /// An Odoo project: the stand-in image with two addons.
    static func odooApp(sale: String, stockFails: Bool = false) -> [String: String?] {
        [
            "Dockerfile": """
            FROM \(DockerTestEngine.odooStandinImage)
            COPY addons /mnt/extra-addons
            """,
            "addons/sale/__manifest__.py": "{'name': 'Sale', 'version': '1.0'}\n",
            "addons/sale/models.py": "# \(sale)\n",
            "addons/stock/__manifest__.py": "{'name': 'Stock', 'version': '1.0'}\n",
            "addons/stock/FAIL_UPDATE": stockFails ? "fail\n" : nil,
            "README.md": "The test's Odoo project.\n",
        ]
    }

    static func withStage(
        _ kind: Project.Kind = .generic, first files: [String: String?], store: (any Store)? = nil,
        overSSH: Bool = false, _ body: (Stage) async throws -> Void
    ) async throws {
        try await InstanceLifecycleTests.withWorld(overSSH: overSSH, store: store) { world in
            let repository = try await GitTestRepository.make()
            defer { repository.remove() }
            try await repository.commit(files, message: "first version")
            var project = kind == .odoo ? world.odoo.project : world.generic.project
            project.repoUrl = repository.url
            project = try #require(try await world.store.updateProject(project))
            let instance =
                kind == .odoo
                ? try await InstanceLifecycleTests.create(
                    world, kind: .odoo, name: "shop", image: nil, port: 8069, healthPath: "/web/health")
                : try await InstanceLifecycleTests.create(
                    world, kind: .generic, name: "web", image: nil, port: 8080, healthPath: "/")
            try await world.operations.provision(instance)
            let operations = InstanceOperations(
                store: world.store, secrets: world.operations.secrets, ssh: world.operations.ssh,
                images: world.operations.images, healthDeadline: .seconds(10))
            let pipeline = DeploymentPipeline(
                snapshots: SnapshotOperations(instances: operations), drainDeadline: .seconds(5))
            try await body(
                Stage(
                    world: world, repository: repository, project: project,
                    instance: try await InstanceLifecycleTests.reload(world, instance), pipeline: pipeline))
            try? FileManager.default.removeItem(atPath: NSHomeDirectory() + "/.slipway/repos/\(project.id).git")
            try? FileManager.default.removeItem(
                atPath: "/home/\(SSHTestServer.keyUser)/.slipway/repos/\(project.id).git")
        }
    }

    /// Queues a deployment as the route does and runs it to its end; answers it as stored.
    static func deploy(
        _ stage: Stage, branch: String? = nil, commitSha: String? = nil, tag: String? = nil
    ) async throws -> Deployment {
        let deployment = Deployment(
            organizationId: stage.instance.organizationId, projectId: stage.project.id,
            environmentId: stage.instance.environmentId, triggerType: .manual, branch: branch, commitSha: commitSha,
            tag: tag, steps: StepPlan.steps(for: stage.project.kind),
            targets: [.init(instanceId: stage.instance.id)])
        return try await run(stage, deployment)
    }

    static func run(_ stage: Stage, _ deployment: Deployment) async throws -> Deployment {
        try await stage.world.store.createDeployment(deployment)
        try? await stage.pipeline.run(organizationId: deployment.organizationId, deploymentId: deployment.id)
        return try #require(
            try await stage.world.store.deployment(organizationId: deployment.organizationId, id: deployment.id))
    }

    /// The page the instance answers through the server's Caddy.
    static func page(_ stage: Stage, _ path: String = "/") async throws -> String {
        let answer = try await InstanceLifecycleTests.throughProxy(stage.world, stage.instance, .GET, path)
        return "\(answer.status) \(answer.body)"
    }

    static func statuses(_ deployment: Deployment) -> [String] {
        deployment.steps.map { "\($0.name.rawValue)=\($0.status.rawValue)" }
    }

    @Test(
        "deploy by branch, by tag and by sha, and redeploy: each version answers through the proxy, the old colour stops"
    )
    func deployByRefs() async throws {
        try await Self.withStage(first: Self.app("1")) { stage in
            let first = try await Self.deploy(stage, branch: "main")
            #expect(first.status == .completed, "\(first.error ?? "") \(Self.statuses(first))")
            #expect(try await Self.page(stage) == "200 version 1\n")
            let firstSha = try await stage.repository.head()
            #expect(first.commitSha == firstSha)
            #expect(first.commitMessage == "first version")
            #expect(first.commitAuthor == "Test Author <author@example.test>")
            #expect(first.imageDigest?.hasPrefix("sha256:") == true)
            #expect(first.activeColor == .blue)
            #expect(first.snapshotId != nil)
            #expect(first.step(.moduleUpdate)?.status == .skipped)
            #expect(first.step(.drain)?.status == .skipped)
            #expect(first.step(.build)?.output.contains("COPY www /www") == true, "\(first.step(.build)?.output ?? "")")
            #expect(first.durationMs != nil)
            try await stage.repository.tag("v1")

            try await stage.repository.commit(Self.app("2"), message: "second version")
            let second = try await Self.deploy(stage, branch: "main")
            #expect(second.status == .completed, "\(second.error ?? "") \(Self.statuses(second))")
            #expect(second.activeColor == .green)
            #expect(try await Self.page(stage) == "200 version 2\n")
            let blue = try await stage.world.docker.inspectContainer(stage.instance.containerName(.blue))
            #expect(!blue.state.running, "the old colour is stopped after the drain")
            let instance = try await InstanceLifecycleTests.reload(stage.world, stage.instance)
            #expect(instance.activeColor == .green)
            #expect(instance.image == second.targets.first?.image)
            #expect(second.targets.first?.previousImage == first.targets.first?.image)

            let byTag = try await Self.deploy(stage, tag: "v1")
            #expect(byTag.status == .completed, "\(byTag.error ?? "")")
            #expect(byTag.commitSha == firstSha)
            #expect(try await Self.page(stage) == "200 version 1\n")

            let secondSha = try #require(second.commitSha)
            let bySha = try await Self.deploy(stage, commitSha: String(secondSha.prefix(12)))
            #expect(bySha.status == .completed, "\(bySha.error ?? "")")
            #expect(bySha.commitSha == secondSha)
            #expect(try await Self.page(stage) == "200 version 2\n")

            // Unchanged: the build cache answers, the same digest comes back.
            let again = try await Self.deploy(stage, branch: "main")
            #expect(again.status == .completed, "\(again.error ?? "")")
            #expect(again.imageDigest == bySha.imageDigest)
            #expect(try await Self.page(stage) == "200 version 2\n")
        }
    }

    @Test("over SSH: the mirror, the build context and the engine are reached through the server's SSH connection")
    func deployOverSSH() async throws {
        try await Self.withStage(first: Self.app("1"), overSSH: true) { stage in
            let first = try await Self.deploy(stage, branch: "main")
            #expect(first.status == .completed, "\(first.error ?? "") \(Self.statuses(first))")
            #expect(
                first.step(.clone)?.output.contains("into .slipway/repos/") == true,
                "\(first.step(.clone)?.output ?? "")")
            #expect(try await Self.page(stage) == "200 version 1\n")
            try await stage.repository.commit(Self.app("2"), message: "second version")
            let second = try await Self.deploy(stage, branch: "main")
            #expect(second.status == .completed, "\(second.error ?? "") \(Self.statuses(second))")
            #expect(try await Self.page(stage) == "200 version 2\n")
            #expect(
                FileManager.default.fileExists(
                    atPath: "/home/\(SSHTestServer.keyUser)/.slipway/repos/\(stage.project.id).git/HEAD"),
                "the mirror is the SSH user's")
        }
    }

    @Test("a broken build, a failing health check and an unknown branch each fail and leave the old version serving")
    func failuresLeaveTheOldVersion() async throws {
        try await Self.withStage(first: Self.app("1")) { stage in
            let first = try await Self.deploy(stage, branch: "main")
            try #require(first.status == .completed, "\(first.error ?? "")")

            var broken = Self.app("broken")
            broken["Dockerfile"] = "FROM \(DockerTestEngine.baseImage)\nRUN echo compiling && exit 3\n"
            try await stage.repository.commit(broken, message: "broken build")
            let build = try await Self.deploy(stage, branch: "main")
            #expect(build.status == .failed)
            #expect(build.step(.build)?.status == .failed)
            #expect(build.step(.updateContainer)?.status == .skipped)
            #expect(build.error?.contains("build failed") == true, "\(build.error ?? "")")
            #expect(try await Self.page(stage) == "200 version 1\n")
            #expect(try await stage.world.docker.hasContainer(stage.instance.containerName(.green)) == false)

            var crashing = Self.app("crashing")
            crashing["Dockerfile"] = """
                FROM \(DockerTestEngine.baseImage)
                CMD ["sh", "-c", "echo the app cannot start; exit 4"]
                """
            try await stage.repository.commit(crashing, message: "an app that exits")
            let health = try await Self.deploy(stage, branch: "main")
            #expect(health.status == .failed)
            #expect(health.step(.healthCheck)?.status == .failed)
            #expect(health.step(.switchTraffic)?.status == .skipped)
            #expect(health.error?.contains("the old version keeps serving") == true, "\(health.error ?? "")")
            #expect(try await Self.page(stage) == "200 version 1\n")
            #expect(
                try await stage.world.docker.hasContainer(stage.instance.containerName(.green)) == false,
                "the new colour's container is removed")
            let instance = try await InstanceLifecycleTests.reload(stage.world, stage.instance)
            #expect(instance.activeColor == .blue)
            #expect(instance.image == first.targets.first?.image)

            let unknown = try await Self.deploy(stage, branch: "no-such-branch")
            #expect(unknown.status == .failed)
            #expect(unknown.step(.clone)?.status == .failed)
            #expect(unknown.error?.contains("branch no-such-branch is not in") == true, "\(unknown.error ?? "")")
            #expect(try await Self.page(stage) == "200 version 1\n")
        }
    }

    @Test("one deployment at a time per environment: the second waits queued; a cancel stops it at the next safe point")
    func queueAndCancel() async throws {
        try await Self.withStage(first: Self.app("1")) { stage in
            let first = try await Self.deploy(stage, branch: "main")
            try #require(first.status == .completed, "\(first.error ?? "")")
            var slow = Self.app("2")
            slow["Dockerfile"] = (slow["Dockerfile"] ?? "").map { $0 + "\nRUN sleep 3" }
            try await stage.repository.commit(slow, message: "a slow build")
            let runner = JobRunner(
                store: stage.world.store, handlers: [DeploymentJobHandler(pipeline: stage.pipeline)],
                configuration: .init(owner: "queue-test", pollInterval: .milliseconds(50)),
                logger: Logger(label: "slipway.test"))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await runner.run() }
                defer { group.cancelAll() }
                let a = try await DeploymentCrashTests.enqueue(stage)
                let b = try await DeploymentCrashTests.enqueue(stage)
                _ = try await DeploymentCrashTests.wait(stage.world.store, a, seconds: 60) {
                    $0.step(.build)?.status == .running
                }
                let waiting = try #require(
                    try await stage.world.store.deployment(organizationId: b.organizationId, id: b.id))
                #expect(waiting.status == .queued, "the second waits while the first runs")

                slow["www/index.html"] = "version 3\n"
                try await stage.repository.commit(slow, message: "a third, slow too")
                let ranA = try await DeploymentCrashTests.wait(stage.world.store, a, seconds: 90) { $0.hasEnded }
                #expect(ranA.status == .completed, "\(ranA.error ?? "")")
                _ = try await DeploymentCrashTests.wait(stage.world.store, b, seconds: 60) {
                    $0.step(.build)?.status == .running
                }
                let startedB = try #require(
                    try await stage.world.store.deployment(organizationId: b.organizationId, id: b.id))
                #expect((startedB.startedAt ?? .distantPast) >= (ranA.completedAt ?? .distantFuture))
                _ = try await stage.world.store.requestDeploymentCancel(
                    organizationId: b.organizationId, id: b.id, at: Date())
                let cancelled = try await DeploymentCrashTests.wait(stage.world.store, b, seconds: 60) { $0.hasEnded }
                #expect(cancelled.status == .cancelled, "\(cancelled.error ?? "")")
                #expect(cancelled.step(.build)?.status == .completed, "the build it was in finished")
                #expect(cancelled.step(.push)?.status == .skipped)
                #expect(cancelled.step(.switchTraffic)?.status == .skipped)
            }
            #expect(try await Self.page(stage) == "200 version 2\n", "the first's version serves")
            let idle = try #require(try await InstanceLifecycleTests.reload(stage.world, stage.instance).activeColor)
                .other
            #expect(
                try await stage.world.docker.inspectContainer(stage.instance.containerName(idle)).state.running == false
            )
        }
    }

    @Test("the environment's settings: a listed module update, none, and its health check deadline")
    func environmentSettings() async throws {
        try await Self.withStage(.odoo, first: Self.odooApp(sale: "v1")) { stage in
            var environment = try #require(
                try await stage.world.store.environment(
                    organizationId: stage.instance.organizationId, id: stage.instance.environmentId))
            environment.moduleUpdate = .listed
            environment.moduleUpdateModules = ["stock"]
            environment = try #require(try await stage.world.store.updateEnvironment(environment))
            let listed = try await Self.deploy(stage, branch: "main")
            #expect(listed.status == .completed, "\(listed.error ?? "")")
            #expect(listed.step(.moduleUpdate)?.output.contains("updating stock") == true)
            #expect(try await Self.odooState(stage).hasPrefix("updates 1:stock;"))

            environment.moduleUpdate = .none
            environment.healthCheckTimeoutSeconds = 5
            environment = try #require(try await stage.world.store.updateEnvironment(environment))
            try await stage.repository.commit(Self.odooApp(sale: "v2"), message: "sale v2")
            let none = try await Self.deploy(stage, branch: "main")
            #expect(none.status == .completed, "\(none.error ?? "")")
            #expect(none.step(.moduleUpdate)?.status == .skipped)
            #expect(try await Self.odooState(stage).hasPrefix("updates 1:stock;"), "nothing more was updated")

            // An app that never answers on its port: the health check gives up after the environment's 5 s.
            var deaf = Self.odooApp(sale: "v3")
            deaf["Dockerfile"] = "FROM \(DockerTestEngine.baseImage)\nCMD [\"sleep\", \"600\"]\n"
            try await stage.repository.commit(deaf, message: "an app that does not listen")
            let started = ContinuousClock.now
            let silent = try await Self.deploy(stage, branch: "main")
            #expect(silent.status == .failed)
            #expect(silent.error?.contains("within 5") == true, "\(silent.error ?? "")")
            #expect(ContinuousClock.now - started < .seconds(60))
            #expect(try await Self.page(stage, "/web/health").hasPrefix("200"), "the old version answers")
        }
    }

    /// The module updates the Odoo stand-in recorded in the instance's database, and its notes.
    static func odooState(_ stage: Stage) async throws -> String {
        let world = stage.world
        let service = DatabaseService(
            docker: world.docker, server: world.server, image: InstanceLifecycleTests.images.database)
        let name = try #require(stage.instance.databaseName)
        let password = try InstanceLifecycleTests.secrets.open(
            try #require(
                try await world.store.encryptedInstanceDatabasePassword(
                    organizationId: stage.instance.organizationId, instanceId: stage.instance.id)))
        let updates = try await DatabaseServiceTests.sql(
            world.docker, service, role: name, password: password, database: name,
            "SELECT count(*) || ':' || coalesce(string_agg(module, ',' ORDER BY updated_at, module), '') FROM standin_module_updates"
        )
        let notes = try await DatabaseServiceTests.sql(
            world.docker, service, role: name, password: password, database: name,
            "SELECT count(*) || ':' || coalesce(string_agg(text, ',' ORDER BY id), '') FROM standin_notes")
        return
            "updates \(updates.stdout.trimmingCharacters(in: .whitespacesAndNewlines)); notes \(notes.stdout.trimmingCharacters(in: .whitespacesAndNewlines))"
    }

    static func note(_ stage: Stage, _ text: String) async throws {
        let answer = try await InstanceLifecycleTests.throughProxy(
            stage.world, stage.instance, .POST, "/standin/notes", json: #"{"text":"\#(text)"}"#)
        try #require(answer.status == 201, "\(answer.body)")
    }

    @Test(
        "Odoo: the changed addons are updated; a failing update restores the snapshot; a rollback brings the old rows back"
    )
    func odooModulesAndRollback() async throws {
        try await Self.withStage(.odoo, first: Self.odooApp(sale: "v1")) { stage in
            let first = try await Self.deploy(stage, branch: "main")
            try #require(first.status == .completed, "\(first.error ?? "") \(Self.statuses(first))")
            #expect(first.step(.moduleUpdate)?.status == .skipped, "the first deployment has nothing to compare")
            #expect(try await Self.page(stage, "/web/health").hasPrefix("200"))
            try await Self.note(stage, "before-v2")
            let beforeSecond = try await Self.odooState(stage)

            // Only `sale` changed: only `sale` is updated, in the database.
            try await stage.repository.commit(Self.odooApp(sale: "v2"), message: "sale v2")
            let second = try await Self.deploy(stage, branch: "main")
            try #require(second.status == .completed, "\(second.error ?? "") \(Self.statuses(second))")
            #expect(second.step(.moduleUpdate)?.status == .completed)
            #expect(second.step(.moduleUpdate)?.output.contains("updating sale") == true)
            #expect(second.targets.first?.databaseTouched == true)
            let afterSecond = try await Self.odooState(stage)
            #expect(afterSecond.hasPrefix("updates 1:sale;"), "\(afterSecond)")

            // `sale` updates, then `stock` fails: the database is put back as the pre-deploy snapshot had it.
            try await stage.repository.commit(
                Self.odooApp(sale: "v3", stockFails: true), message: "sale v3, stock broken")
            let third = try await Self.deploy(stage, branch: "main")
            #expect(third.status == .failed)
            #expect(third.step(.moduleUpdate)?.status == .failed)
            #expect(third.error?.contains("restored the pre-deploy snapshot") == true, "\(third.error ?? "")")
            #expect(try await Self.odooState(stage) == afterSecond)
            #expect(try await Self.page(stage, "/web/health").hasPrefix("200"), "the old version answers")

            // Roll the second deployment back: its snapshot (the rows before it) and the image before it.
            try await Self.note(stage, "after-v2")
            let rollback = StepPlan.rollback(of: second)
            let rolledBack = try await Self.run(stage, rollback)
            #expect(rolledBack.status == .completed, "\(rolledBack.error ?? "") \(Self.statuses(rolledBack))")
            #expect(try await Self.odooState(stage) == beforeSecond)
            let instance = try await InstanceLifecycleTests.reload(stage.world, stage.instance)
            #expect(instance.image == first.targets.first?.image)
            #expect(try await Self.page(stage, "/web/health").hasPrefix("200"))
            #expect(rolledBack.snapshotId != nil, "a safety snapshot was taken first")
        }
    }
}

extension DockerClient {
    /// Whether a container of that name exists.
    func hasContainer(_ name: String) async throws -> Bool {
        do {
            _ = try await inspectContainer(name)
            return true
        } catch let error as DockerError where error.kind == .notFound {
            return false
        }
    }
}
