import Foundation
import SlipwayCore
import SlipwayStore
import SlipwayTesting
import Testing

/// What the deployment pipeline keeps in the store, on SQLite and on PostgreSQL: a deployment and its job
/// written together, its targets and steps written back, a cancel, the last release of an instance, and an
/// environment's deploy settings.
@Suite("Deployments in the store")
struct DeploymentStoreTests {
    @Test(
        "queued with its job, written back, cancelled while queued, found as the last release",
        arguments: StoreKind.allCases)
    func pipelineRecords(kind: StoreKind) async throws {
        try await TestStore.with(kind) { store in
            let fixture = try await Fixture.make(store)
            let organizationId = fixture.organization.id
            func queued(_ at: Date) -> Deployment {
                Deployment(
                    organizationId: organizationId, projectId: fixture.project.id,
                    environmentId: fixture.environment.id, triggerType: .manual, branch: "main",
                    targets: [.init(instanceId: fixture.instance.id)], createdAt: at)
            }
            func job(_ deployment: Deployment) -> Job {
                Job(
                    organizationId: organizationId, kind: .deployment, subjectId: deployment.id,
                    concurrencyKey: deployment.environmentId, createdAt: deployment.createdAt)
            }
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            var first = queued(start)
            try await store.enqueueDeployment(first, job: job(first))
            #expect(
                try await store.jobs(organizationId: organizationId, subjectId: first.id).map(\.status) == [.queued])

            // Written back: the commit, the targets (JSON), a step with its output.
            first.status = .running
            first.commitSha = String(repeating: "a", count: 40)
            first.targets[0].snapshotId = nil
            first.targets[0].image = "127.0.0.1:5000/slipway/prj@sha256:abc"
            first.targets[0].color = .green
            first.targets[0].databaseTouched = true
            first.steps[2].status = .running
            first.steps[2].output = "Step 1/2 : FROM base\n"
            let written = try #require(try await store.updateDeployment(first))
            #expect(written.targets == first.targets)
            #expect(written.steps[2] == first.steps[2])
            var build = written.steps[2]
            build.output += "Step 2/2 : COPY . .\n"
            try await store.updateDeploymentStep(deploymentId: first.id, position: 2, build)
            #expect(try await store.deployment(organizationId: organizationId, id: first.id)?.steps[2] == build)

            // A second one waits behind it; cancelled while queued, it ends at once with its job.
            let second = queued(start.addingTimeInterval(1))
            try await store.enqueueDeployment(second, job: job(second))
            let cancelled = try #require(
                try await store.requestDeploymentCancel(organizationId: organizationId, id: second.id, at: start))
            #expect(cancelled.status == .cancelled && cancelled.cancelRequested)
            #expect(cancelled.steps.allSatisfy { $0.status == .skipped })
            #expect(
                try await store.jobs(organizationId: organizationId, subjectId: second.id).map(\.status) == [.cancelled]
            )
            // A running one only gets the flag.
            let flagged = try #require(
                try await store.requestDeploymentCancel(organizationId: organizationId, id: first.id, at: start))
            #expect(flagged.status == .running && flagged.cancelRequested)
            #expect(try await store.unfinishedDeployments().map(\.id) == [first.id])

            // The last release of the instance: completed, with the instance among its targets.
            #expect(
                try await store.lastCompletedDeployment(
                    organizationId: organizationId, instanceId: fixture.instance.id, before: nil) == nil)
            first.status = .completed
            first.completedAt = start.addingTimeInterval(60)
            _ = try await store.updateDeployment(first)
            let release = try await store.lastCompletedDeployment(
                organizationId: organizationId, instanceId: fixture.instance.id, before: nil)
            #expect(release?.id == first.id)
            #expect(
                try await store.lastCompletedDeployment(
                    organizationId: organizationId, instanceId: fixture.instance.id, before: start) == nil)
        }
    }

    @Test("an environment keeps its deploy settings", arguments: StoreKind.allCases)
    func environmentSettings(kind: StoreKind) async throws {
        try await TestStore.with(kind) { store in
            let fixture = try await Fixture.make(store)
            var environment = fixture.environment
            #expect(environment.moduleUpdate == .changed && environment.healthCheckTimeoutSeconds == 90)
            environment.moduleUpdate = .listed
            environment.moduleUpdateModules = ["sale", "stock"]
            environment.healthCheckTimeoutSeconds = 300
            let stored = try #require(try await store.updateEnvironment(environment))
            #expect(stored.moduleUpdate == .listed && stored.moduleUpdateModules == ["sale", "stock"])
            #expect(stored.healthCheckTimeoutSeconds == 300)
        }
    }
}
