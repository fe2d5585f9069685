import Foundation
import Logging
import SlipwayCore
import SlipwayStore
import SlipwayTesting
import Testing

@testable import SlipwayDrivers
@testable import SlipwayEngine

/// The built `slipway serve`, killed with SIGKILL in the middle of a deployment, then started again on the
/// same data directory: the deployment is found again and ends (`completed` here: every step is safe to run
/// again), the app answers through the proxy, and no container is left behind.
@Suite("Deployments survive a killed control plane", .serialized)
struct DeploymentCrashTests {
    /// `.build/debug/slipway` of this package (`swift build --build-tests` makes it).
    static let binary: String? = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let path = root.appendingPathComponent(".build/debug/slipway").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }()

    /// The app, with a CGI page that answers only after `seconds`: a request in flight during a switch.
    static func app(_ version: String, buildSeconds: Int = 0) -> [String: String?] {
        [
            "Dockerfile": """
            FROM \(DockerTestEngine.baseImage)
            COPY www /www
            RUN chmod 755 /www/cgi-bin/slow && sleep \(buildSeconds)
            CMD ["sh", "-c", "httpd -f -p 8080 -h /www & trap 'kill $!; exit 0' TERM; wait"]
            """,
            "www/index.html": "version \(version)\n",
            "www/cgi-bin/slow":
                "#!/bin/sh\nsleep 12\nprintf 'Content-Type: text/plain\\r\\n\\r\\nslow \(version) done\\n'\n",
        ]
    }

    /// `slipway serve` on the test's data directory, running jobs with a 3 s lease.
    static func serve(_ binary: String, dataDirectory: String, port: Int? = nil) throws -> LocalProcess {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SLIPWAY_") }
        environment["SLIPWAY_SECRET_KEY"] = InstanceLifecycleTests.secretKeyHex
        environment["SLIPWAY_REGISTRY_IMAGE"] = InstanceLifecycleTests.images.registry
        environment["SLIPWAY_PROXY_IMAGE"] = InstanceLifecycleTests.images.proxy
        environment["SLIPWAY_DATABASE_IMAGE"] = InstanceLifecycleTests.images.database
        return try LocalProcess.start(
            [
                binary, "serve", "--data-dir", dataDirectory, "--host", "127.0.0.1", "--port",
                String(try port ?? LoopbackSocket.freePort()), "--job-lease", "3",
            ], environment: environment)
    }

    /// `slipway serve` on `dataDirectory`, once it answers its health check.
    static func serveAnswering(_ binary: String, dataDirectory: String, port: Int) async throws -> LocalProcess {
        let process = try serve(binary, dataDirectory: dataDirectory, port: port)
        let health = ServiceHTTPClient(endpoint: .tcp(host: "127.0.0.1", port: port), hostHeader: "127.0.0.1")
        let start = Date()
        do {
            while (try? await health.send(.GET, "/healthz"))?.status != 200 {
                try #require(Date().timeIntervalSince(start) < 60, "slipway serve did not answer within 60 s")
                try await Task.sleep(for: .milliseconds(200))
            }
        } catch {
            process.send(SIGKILL)
            _ = await process.collect()
            throw error
        }
        return process
    }

    /// Waits until `condition` holds for the stored deployment; answers it.
    static func wait(
        _ store: any Store, _ deployment: Deployment, seconds: Double, interval: Duration = .milliseconds(20),
        until condition: (Deployment) -> Bool
    ) async throws -> Deployment {
        let start = Date()
        while true {
            let stored = try #require(
                try await store.deployment(organizationId: deployment.organizationId, id: deployment.id))
            if condition(stored) { return stored }
            guard Date().timeIntervalSince(start) < seconds else {
                Issue.record("waited \(seconds) s; the deployment stands at \(DeploymentTests.statuses(stored))")
                return stored
            }
            try await Task.sleep(for: interval)
        }
    }

    static func enqueue(_ stage: DeploymentTests.Stage) async throws -> Deployment {
        let deployment = Deployment(
            organizationId: stage.instance.organizationId, projectId: stage.project.id,
            environmentId: stage.instance.environmentId, triggerType: .manual, branch: "main",
            steps: StepPlan.steps(for: .generic), targets: [.init(instanceId: stage.instance.id)])
        try await stage.world.store.enqueueDeployment(
            deployment,
            job: Job(
                organizationId: deployment.organizationId, kind: .deployment, subjectId: deployment.id,
                concurrencyKey: deployment.environmentId))
        return deployment
    }

    @Test(
        "SIGKILL during the build and during the drain after the switch: restarted, the deployment completes and the app answers",
        .enabled(if: binary != nil, "skipped: no .build/debug/slipway; run `swift build --build-tests` first"),
        .timeLimit(.minutes(6)))
    func killedMidDeploy() async throws {
        let binary = try #require(Self.binary)
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "slipway-crash-\(UUID().uuidString.prefix(8))"
        ).path
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        let store = try await SQLStore.open(
            dataDirectory: dataDirectory, databaseURL: nil, logger: Logger(label: "slipway.test"))
        defer { Task { try? await store.close() } }
        try await DeploymentTests.withStage(first: Self.app("1"), store: store) { stage in
            let first = try await DeploymentTests.deploy(stage, branch: "main")
            try #require(first.status == .completed, "\(first.error ?? "")")

            // 1. Killed while the image builds (the build takes 4 s).
            try await stage.repository.commit(Self.app("2", buildSeconds: 4), message: "second version")
            var control = try Self.serve(binary, dataDirectory: dataDirectory)
            let second = try await Self.enqueue(stage)
            let building = try await Self.wait(store, second, seconds: 60) { $0.step(.build)?.status == .running }
            control.send(SIGKILL)
            _ = await control.collect()
            #expect(building.status == .running)
            control = try Self.serve(binary, dataDirectory: dataDirectory)
            let resumed = try await Self.wait(store, second, seconds: 120, interval: .milliseconds(200)) { $0.hasEnded }
            #expect(resumed.status == .completed, "\(resumed.error ?? "") \(DeploymentTests.statuses(resumed))")
            #expect(resumed.step(.build)?.output.contains("running it again") == true)
            #expect(try await DeploymentTests.page(stage) == "200 version 2\n")

            // 2. Killed while the old colour drains a slow request, after the switch.
            try await stage.repository.commit(Self.app("3"), message: "third version")
            async let slow = InstanceLifecycleTests.throughProxy(stage.world, stage.instance, .GET, "/cgi-bin/slow")
            try await Task.sleep(for: .milliseconds(300))
            let third = try await Self.enqueue(stage)
            let draining = try await Self.wait(store, third, seconds: 60) { $0.step(.drain)?.status == .running }
            control.send(SIGKILL)
            _ = await control.collect()
            #expect(draining.step(.switchTraffic)?.status == .completed)
            #expect(try await DeploymentTests.page(stage) == "200 version 3\n", "the switch stands")
            control = try Self.serve(binary, dataDirectory: dataDirectory)
            let drained = try await Self.wait(store, third, seconds: 120, interval: .milliseconds(200)) { $0.hasEnded }
            #expect(drained.status == .completed, "\(drained.error ?? "") \(DeploymentTests.statuses(drained))")
            let slowAnswer = try await slow
            #expect(
                slowAnswer.status == 200 && slowAnswer.body == "slow 2 done\n",
                "\(slowAnswer) \(drained.step(.drain)?.output ?? "")")
            control.send(SIGTERM)
            _ = await control.collect()

            // Nothing left behind: the instance's two colours, the old one stopped.
            let instance = try await InstanceLifecycleTests.reload(stage.world, stage.instance)
            let containers = try await stage.world.docker.listContainers(
                matching: SlipwayLabels.Selector(organizationId: instance.organizationId))
            let names = Set(
                containers.flatMap(\.names).map { $0.hasPrefix("/") ? String($0.dropFirst()) : $0 }.filter {
                    $0.contains(instance.id)
                })
            #expect(names == [instance.containerName(.blue), instance.containerName(.green)], "\(names)")
            let active = try await stage.world.docker.inspectContainer(
                instance.containerName(instance.activeColor ?? .blue))
            let idle = try await stage.world.docker.inspectContainer(
                instance.containerName((instance.activeColor ?? .blue).other))
            #expect(active.state.running && !idle.state.running)
        }
    }
}
