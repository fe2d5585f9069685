import Foundation
import SlipwayCore
import SlipwayTesting
import Testing

@testable import SlipwayCLI

/// Stands in for the deployment pipeline, which does not run in these tests (no engine in `TestControlPlane`;
/// the engine's tests run it for real): it claims a deployment's job and writes the record step by step, as
/// the pipeline does, so the CLI has something to follow.
enum PipelineStandIn {
    static let commit = "3f2a9c1e5b7d4a6f8e0c2b4d6f8a0c2e4b6d8f0a"

    /// How long each step takes, in seconds, and the output it writes.
    static let script: [Step.Name: (seconds: Int, output: [String])] = [
        .preDeploySnapshot: (2, ["pg_dump: dumping shop_web"]), .clone: (1, ["Cloning into 'src'..."]),
        .build: (65, ["Step 1/2 : FROM odoo:17", "Step 2/2 : COPY addons /mnt/extra-addons"]), .push: (3, []),
        .updateContainer: (4, ["started shop-web-green"]), .moduleUpdate: (20, ["odoo -u all: 12 modules"]),
        .healthCheck: (30, ["GET / answered 502", "GET / answered 502 \u{1B}[31m(gave up)\u{1B}[0m"]),
        .switchTraffic: (1, ["caddy: shop-web -> green"]), .drain: (5, ["stopped shop-web-blue"]),
    ]

    /// Runs the CLI with `arguments` while playing the deployment job it waits on: each planned step begins,
    /// writes its output a line at a time and ends; `failing` fails and ends the deployment there.
    static func run(
        _ plane: TestControlPlane, cli: InProcessCLI, _ arguments: [String], failing: Step.Name? = nil
    ) async throws -> (code: Int32, out: String, err: String) {
        let store = plane.store
        return try await SnapshotCommandTests.playingRunner(plane, kind: .deployment, cli: cli, arguments) { job in
            var deployment = try #require(
                try await store.deployment(organizationId: job.organizationId, id: job.subjectId))
            let start = Date()
            var clock = start
            deployment.status = .running
            deployment.startedAt = start
            deployment.commitSha = commit
            deployment.commitMessage = "Fix the invoice totals\n\nThey were rounded twice."
            deployment.commitAuthor = "Ada"
            _ = try await store.updateDeployment(deployment)
            for index in deployment.steps.indices where deployment.steps[index].status == .pending {
                let name = deployment.steps[index].name
                let (seconds, output) = script[name] ?? (1, [])
                deployment.steps[index].status = .running
                deployment.steps[index].startedAt = clock
                try await store.updateDeploymentStep(
                    deploymentId: deployment.id, position: index, deployment.steps[index])
                for line in output {
                    try await Task.sleep(for: .milliseconds(120))
                    deployment.steps[index].output += line + "\n"
                    try await store.updateDeploymentStep(
                        deploymentId: deployment.id, position: index, deployment.steps[index])
                }
                clock += TimeInterval(seconds)
                deployment.steps[index].completedAt = clock
                deployment.steps[index].status = name == failing ? .failed : .completed
                try await store.updateDeploymentStep(
                    deploymentId: deployment.id, position: index, deployment.steps[index])
                if name == failing { break }
            }
            for index in deployment.steps.indices where deployment.steps[index].status == .pending {
                deployment.steps[index].status = .skipped
            }
            deployment.status = failing == nil ? .completed : .failed
            deployment.error = failing.map { "\($0.rawValue) failed: the old version still serves" }
            deployment.completedAt = clock
            deployment.durationMs = Int(clock.timeIntervalSince(start) * 1000)
            _ = try await store.updateDeployment(deployment)
            return failing == nil ? .completed : .failed
        }
    }

    /// A completed deployment of the world's instance, as the pipeline leaves it: it replaced `before` (nil:
    /// the first deployment) with `image`.
    static func release(_ plane: TestControlPlane, _ world: DeployCommandTests.World, before: String?, image: String)
        async throws -> Deployment
    {
        let now = Date()
        let deployment = Deployment(
            organizationId: plane.organization.id, projectId: world.projectId, environmentId: world.environmentId,
            triggerType: .manual, branch: "main", commitSha: commit, status: .completed,
            steps: Step.Name.allCases.map { Step(name: $0, status: .completed) },
            targets: [.init(instanceId: world.instanceId, previousImage: before, image: image, color: .green)],
            createdAt: now - 10, startedAt: now - 9, completedAt: now)
        try await plane.store.createDeployment(deployment)
        return deployment
    }
}
