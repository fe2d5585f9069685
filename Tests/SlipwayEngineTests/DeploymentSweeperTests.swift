import Foundation
import Logging
import SlipwayCore
import SlipwayStore
import SlipwayTesting
import Testing

@testable import SlipwayEngine

/// The sweeper ends what nothing else will: a deployment still `running` whose job has ended (its control
/// plane lost the final write). Real store; the deployments have no targets, so undoing touches no server
/// (the pipeline's undo is tested with real containers in `DeploymentTests`).
@Suite("Deployments their job left unfinished")
struct DeploymentSweeperTests {
    @Test("a running deployment whose job ended is ended; one whose job still runs, and an ended one, are left")
    func sweep() async throws {
        try await TestStore.with(.sqlite) { store in
            let user = User(name: "Owner", email: "sweep-\(UUID().uuidString.prefix(6))@example.test")
            try await store.createUser(user)
            let organization = Organization(name: "Sweep", slug: "sweep-\(UUID().uuidString.prefix(6).lowercased())")
            try await store.createOrganization(organization, ownerId: user.id)
            let project = Project(
                organizationId: organization.id, name: "Shop", repoUrl: "https://git.example.test/shop.git",
                kind: .generic)
            try await store.createProject(project)
            let environment = SlipwayCore.Environment(
                organizationId: organization.id, projectId: project.id, name: "Production", type: .production,
                branch: "main")
            try await store.createEnvironment(environment)
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            /// A deployment claimed by a worker, with `done` of its steps completed, its job then ended `ending`.
            func deployment(done: Int, ending: Job.Status?) async throws -> Deployment {
                var deployment = Deployment(
                    organizationId: organization.id, projectId: project.id, environmentId: environment.id,
                    triggerType: .manual, branch: "main", steps: StepPlan.steps(for: .generic), createdAt: start)
                let job = Job(
                    organizationId: organization.id, kind: .deployment, subjectId: deployment.id,
                    concurrencyKey: "\(environment.id)-\(deployment.id)", createdAt: start)
                try await store.enqueueDeployment(deployment, job: job)
                let claimed = try #require(
                    try await store.claimJob(kinds: [.deployment], owner: "worker", lease: 60, now: start))
                deployment.status = .running
                deployment.startedAt = start
                for index in deployment.steps.indices where index < done {
                    if deployment.steps[index].status == .pending { deployment.steps[index].status = .completed }
                }
                if done < deployment.steps.count { deployment.steps[done].status = .running }
                deployment = try #require(try await store.updateDeployment(deployment))
                if let ending {
                    #expect(
                        try await store.finishJob(
                            id: claimed.id, owner: "worker", status: ending, error: nil, at: start))
                }
                return deployment
            }
            let lost = try await deployment(done: 3, ending: .completed)
            let finished = try await deployment(done: 9, ending: .failed)
            let stillRunning = try await deployment(done: 2, ending: nil)

            let pipeline = DeploymentPipeline(
                snapshots: SnapshotOperations(
                    instances: InstanceOperations(
                        store: store, secrets: InstanceLifecycleTests.secrets, ssh: SSHServerConnector())),
                clock: { start.addingTimeInterval(120) })
            let sweeper = DeploymentSweeper(pipeline: pipeline, logger: Logger(label: "test"))
            let ended = await sweeper.sweep()
            #expect(Set(ended.map(\.id)) == [lost.id, finished.id])

            let failed = try #require(try await store.deployment(organizationId: organization.id, id: lost.id))
            #expect(failed.status == .failed && failed.completedAt == start.addingTimeInterval(120))
            #expect(failed.error?.contains("its job ended completed before the deployment did") == true, "\(failed)")
            #expect(failed.steps[3].status == .failed && failed.steps[4...].allSatisfy { $0.status == .skipped })
            let completed = try #require(
                try await store.deployment(organizationId: organization.id, id: finished.id))
            #expect(completed.status == .completed && completed.error == nil, "every step had ended")
            let untouched = try #require(
                try await store.deployment(organizationId: organization.id, id: stillRunning.id))
            #expect(untouched.status == .running, "its job still runs: its worker ends it")
            #expect(await sweeper.sweep().isEmpty, "a second round finds nothing")
        }
    }
}
