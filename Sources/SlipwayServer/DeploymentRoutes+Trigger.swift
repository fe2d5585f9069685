import Foundation
import SlipwayCore
import SlipwayEngine

/// Deploying, rolling back and cancelling: each writes a deployment (and the job that runs it) or asks one to
/// stop, and answers 202 with the deployment. The pipeline itself is the engine's; one deployment per
/// environment runs at a time, the job's concurrency key being the environment's id.
extension DeploymentRoutes {
    struct Rollback: Decodable {
        var deploymentId: String
    }

    static let triggering: [APIRoute] = [
        APIRoute(
            .post, "/api/projects/{projectId}/deploy", access: .permission(.manage(.deployments)),
            summary:
                "Queue a deployment of a branch, commitSha or tag: to instanceId alone, else to every instance of "
                + "the environment the branch maps to (with only a commit or a tag, the project's one environment)",
            resource: "deployments", body: Schemas.deployRequest, status: .accepted,
            response: .reference("Deployment")
        ) { call in
            let project = try await ProjectRoutes.project(call)
            let input = try call.decode(DeployRequest.self)
            try input.validate()
            let (environment, instances) = try await targets(call, of: project, for: input)
            let now = call.backend.clock()
            let deployment = Deployment(
                organizationId: project.organizationId, projectId: project.id, environmentId: environment.id,
                instanceId: input.instanceId, triggerType: .manual, branch: input.branch, commitSha: input.commitSha,
                tag: input.tag, steps: StepPlan.steps(for: project.kind),
                targets: instances.map { .init(instanceId: $0.id) }, createdAt: now)
            try await enqueue(deployment, call)
            return .json(deployment)
        },
        APIRoute(
            .post, "/api/projects/{projectId}/rollback", access: .permission(.manage(.deployments)),
            summary:
                "Queue a rollback of a completed deployment: the image each of its instances ran before it comes "
                + "back, with its pre-deploy snapshot, through the same blue-green switch",
            resource: "deployments", body: Schemas.rollbackRequest, status: .accepted,
            response: .reference("Deployment")
        ) { call in
            let project = try await ProjectRoutes.project(call)
            let input = try call.decode(Rollback.self)
            guard
                let release = try await call.store.deployment(
                    organizationId: project.organizationId, id: input.deploymentId),
                release.projectId == project.id
            else { throw SlipwayError.notFound("deployment") }
            try rollbackable(release)
            var rollback = StepPlan.rollback(of: release, at: call.backend.clock())
            if let before = try await previousRelease(of: release, call) {
                rollback.branch = before.branch
                rollback.commitSha = before.commitSha
                rollback.tag = before.tag
                rollback.commitMessage = before.commitMessage
                rollback.commitAuthor = before.commitAuthor
            }
            try await enqueue(rollback, call)
            return .json(rollback)
        },
        APIRoute(
            .post, "/api/projects/{projectId}/deployments/{deploymentId}/cancel",
            access: .permission(.manage(.deployments)),
            summary:
                "Cancel a deployment: a queued one at once; a running one stops at its next safe point, before "
                + "traffic moves (it answers with cancelRequested set and ends cancelled)",
            resource: "deployments", status: .accepted, response: .reference("Deployment")
        ) { call in
            let deployment = try await deployment(call)
            guard !deployment.hasEnded else {
                throw SlipwayError(
                    .conflict, code: "already_ended",
                    message: "deployment \(deployment.id) has already ended (\(deployment.status.rawValue))")
            }
            guard
                let stored = try await call.store.requestDeploymentCancel(
                    organizationId: deployment.organizationId, id: deployment.id, at: call.backend.clock())
            else { throw SlipwayError.notFound("deployment") }
            return .json(stored)
        },
    ]

    /// Stores the deployment and its job in one transaction.
    private static func enqueue(_ deployment: Deployment, _ call: RouteCall) async throws {
        try await call.store.enqueueDeployment(
            deployment,
            job: Job(
                organizationId: deployment.organizationId, kind: .deployment, subjectId: deployment.id,
                concurrencyKey: deployment.environmentId, createdAt: deployment.createdAt))
    }

    /// The environment a deploy goes to and the instances it moves: `instanceId` alone (of this project,
    /// else 404), else every instance of the environment `branch` maps to, else (a commit or a tag alone)
    /// of the project's one environment. Instances being removed are left out; none left is a 409.
    static func targets(_ call: RouteCall, of project: Project, for input: DeployRequest) async throws -> (
        Environment, [Instance]
    ) {
        let organizationId = project.organizationId
        if let id = input.instanceId {
            guard let instance = try await call.store.instance(organizationId: organizationId, id: id),
                instance.projectId == project.id
            else { throw SlipwayError.notFound("instance") }
            guard instance.status != .removing else {
                throw SlipwayError(
                    .conflict, code: "instance_removing", message: "instance \(instance.name) is being removed")
            }
            guard
                let environment = try await call.store.environment(
                    organizationId: organizationId, id: instance.environmentId)
            else { throw SlipwayError.notFound("environment") }
            return (environment, [instance])
        }
        let environment = try await environment(call, of: project, for: input)
        let instances = try await call.store.instances(organizationId: organizationId, environmentId: environment.id)
            .filter { $0.status != .removing }
        guard !instances.isEmpty else {
            throw SlipwayError(
                .conflict, code: "no_instances",
                message: "environment \(environment.name) has no instances to deploy to: create one first")
        }
        return (environment, instances)
    }

    /// The environment a deploy without an instance goes to.
    private static func environment(_ call: RouteCall, of project: Project, for input: DeployRequest) async throws
        -> Environment
    {
        let environments = try await call.store.environments(
            organizationId: project.organizationId, projectId: project.id)
        guard let branch = input.branch else {
            guard environments.count == 1, let only = environments.first else {
                throw SlipwayError.invalid(
                    "branch",
                    "project \(project.name) has \(environments.count) environments: give a branch (its mapping "
                        + "picks the environment) or an instanceId")
            }
            return only
        }
        guard let id = project.environmentId(forBranch: branch, environments: environments),
            let environment = environments.first(where: { $0.id == id })
        else {
            throw SlipwayError.invalid(
                "branch",
                "no environment of project \(project.name) deploys branch '\(branch)': add a branch mapping, "
                    + "or give an instanceId")
        }
        return environment
    }

    /// Refuses a rollback of a deployment that is no release, or whose instances ran nothing before it.
    private static func rollbackable(_ release: Deployment) throws {
        guard release.status == .completed else {
            throw SlipwayError(
                .conflict, code: "not_completed",
                message: "deployment \(release.id) is \(release.status.rawValue): only a completed deployment "
                    + "can be rolled back")
        }
        guard !release.targets.isEmpty, release.targets.allSatisfy({ $0.previousImage != nil }) else {
            throw SlipwayError(
                .conflict, code: "nothing_before",
                message: "it was the first deployment: there is no earlier image to go back to")
        }
    }

    /// The completed deployment whose image `release` replaced on its first instance, to name the commit a
    /// rollback brings back; nil when there is none that ran exactly that image.
    private static func previousRelease(of release: Deployment, _ call: RouteCall) async throws -> Deployment? {
        guard let target = release.targets.first, let image = target.previousImage,
            let before = try await call.store.lastCompletedDeployment(
                organizationId: release.organizationId, instanceId: target.instanceId,
                before: release.startedAt ?? release.createdAt)
        else { return nil }
        let ran = before.targets.first { $0.instanceId == target.instanceId }?.image
        return ran == image ? before : nil
    }
}
