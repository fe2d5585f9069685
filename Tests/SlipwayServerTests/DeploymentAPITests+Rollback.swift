import Foundation
import HummingbirdTesting
import SlipwayCore
import SlipwayServer
import SlipwayTesting
import Testing

extension DeploymentAPITests {
    /// A deployment of production's `web` as the pipeline leaves it: `status`, having replaced `before` with
    /// `image` (nil `before`: the first deployment).
    static func release(
        _ plane: TestControlPlane, _ world: World, web: String, status: Deployment.Status = .completed,
        before: String?, image: String, commit: String, ended: Date
    ) async throws -> Deployment {
        let deployment = Deployment(
            organizationId: plane.organization.id, projectId: world.projectId, environmentId: world.production,
            triggerType: .manual, branch: "main", commitSha: commit, commitMessage: "release \(commit)",
            commitAuthor: "Ada", status: status, steps: Step.Name.allCases.map { Step(name: $0, status: .completed) },
            targets: [.init(instanceId: web, previousImage: before, previousColor: .blue, image: image, color: .green)],
            createdAt: ended - 60, startedAt: ended - 50, completedAt: status == .completed ? ended : nil)
        try await plane.store.createDeployment(deployment)
        return deployment
    }

    @Test("a rollback needs a completed deployment of the project that replaced an earlier image")
    func rollback() async throws {
        try await TestControlPlane.with { plane in
            try await plane.test { client in
                let (world, web, _) = try await Self.world(client, plane)
                let rollback = "/api/projects/\(world.projectId)/rollback"
                let now = Date()
                let first = try await Self.release(
                    plane, world, web: web, before: nil, image: "r/shop@sha256:aaa", commit: "aaaa111",
                    ended: now - 600)
                let second = try await Self.release(
                    plane, world, web: web, before: "r/shop@sha256:aaa", image: "r/shop@sha256:bbb", commit: "bbbb222",
                    ended: now - 300)
                let running = try await Self.release(
                    plane, world, web: web, status: .running, before: "r/shop@sha256:bbb", image: "r/shop@sha256:ccc",
                    commit: "cccc333", ended: now)

                let refusals: [(body: String, status: Int, code: String)] = [
                    (#"{"deploymentId":"\#(running.id)"}"#, 409, "not_completed"),
                    (#"{"deploymentId":"\#(first.id)"}"#, 409, "nothing_before"),
                    (#"{"deploymentId":"dep_nope"}"#, 404, "not_found"),
                    (#"{}"#, 422, "invalid_field"),
                ]
                for (body, status, code) in refusals {
                    let reply = try await send(client, .post, rollback, token: plane.ownerToken, body: body)
                    #expect(reply.status == status && reply.errorCode == code, "\(body): \(reply.text)")
                }
                let firstReply = try await send(
                    client, .post, rollback, token: plane.ownerToken, body: #"{"deploymentId":"\#(first.id)"}"#)
                #expect(firstReply.text.contains("no earlier image to go back to"), "\(firstReply.text)")
                let other = try await create(
                    client, "/api/projects", token: plane.ownerToken,
                    body: #"{"name":"Other","repoUrl":"https://git.example.test/o.git","kind":"odoo"}"#)
                let elsewhere = try await send(
                    client, .post, "/api/projects/\(other)/rollback", token: plane.ownerToken,
                    body: #"{"deploymentId":"\#(second.id)"}"#)
                #expect(elsewhere.status == 404, "another project's deployment: \(elsewhere.text)")

                let reply = try await send(
                    client, .post, rollback, token: plane.ownerToken, body: #"{"deploymentId":"\#(second.id)"}"#)
                #expect(reply.status == 202, "\(reply.text)")
                try await SnapshotAPITests.expectMatches(reply, schema: "Deployment", client)
                let id = try #require(reply["id"]?.string)
                let stored = try #require(
                    try await plane.store.deployment(organizationId: plane.organization.id, id: id))
                #expect(stored.triggerType == .rollback && stored.rollbackOf == second.id && stored.status == .queued)
                #expect(stored.environmentId == world.production)
                #expect(stored.targets == [.init(instanceId: web, image: "r/shop@sha256:aaa")])
                #expect(stored.steps.map(\.status) == StepPlanStatuses.rollback, "\(stored.steps)")
                #expect(stored.commitSha == "aaaa111", "it names the commit it brings back: \(reply.text)")
                let jobs = try await plane.store.jobs(organizationId: plane.organization.id, subjectId: id)
                #expect(jobs.map(\.kind) == [.deployment] && jobs.first?.concurrencyKey == world.production)
            }
        }
    }

    /// A rollback's planned statuses: nothing cloned, built, pushed or updated.
    enum StepPlanStatuses {
        static let rollback: [Step.Status] = Step.Name.allCases.map {
            [.clone, .build, .push, .moduleUpdate].contains($0) ? .skipped : .pending
        }
    }

    @Test("cancel ends a queued deployment and its job at once, flags a running one, and refuses an ended one")
    func cancel() async throws {
        try await TestControlPlane.with { plane in
            try await plane.test { client in
                let (world, web, _) = try await Self.world(client, plane)
                let organizationId = plane.organization.id
                let queued = try await Self.deploy(client, plane, world.projectId, #"{"branch":"main"}"#)
                let id = try #require(queued["id"]?.string)
                let cancel = "/api/projects/\(world.projectId)/deployments/\(id)/cancel"

                let reply = try await send(client, .post, cancel, token: plane.ownerToken)
                #expect(reply.status == 202, "\(reply.text)")
                try await SnapshotAPITests.expectMatches(reply, schema: "Deployment", client)
                #expect(reply["status"]?.string == "cancelled" && reply["cancelRequested"] == .bool(true))
                let jobs = try await plane.store.jobs(organizationId: organizationId, subjectId: id)
                #expect(jobs.map(\.status) == [.cancelled])
                let stored = try #require(try await plane.store.deployment(organizationId: organizationId, id: id))
                #expect(stored.steps.allSatisfy { $0.status == .skipped }, "\(stored.steps)")

                let again = try await send(client, .post, cancel, token: plane.ownerToken)
                #expect(again.status == 409 && again.errorCode == "already_ended", "\(again.text)")

                let running = try await Self.release(
                    plane, world, web: web, status: .running, before: nil, image: "r/shop@sha256:aaa",
                    commit: "aaaa111", ended: Date())
                let flagged = try await send(
                    client, .post, "/api/projects/\(world.projectId)/deployments/\(running.id)/cancel",
                    token: plane.ownerToken)
                #expect(flagged.status == 202 && flagged["status"]?.string == "running", "\(flagged.text)")
                #expect(flagged["cancelRequested"] == .bool(true), "the pipeline stops at its next safe point")

                let other = try await create(
                    client, "/api/projects", token: plane.ownerToken,
                    body: #"{"name":"Other","repoUrl":"https://git.example.test/o.git","kind":"odoo"}"#)
                let elsewhere = try await send(
                    client, .post, "/api/projects/\(other)/deployments/\(running.id)/cancel", token: plane.ownerToken)
                #expect(elsewhere.status == 404)
            }
        }
    }
}
