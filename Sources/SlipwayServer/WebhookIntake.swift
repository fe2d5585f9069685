import Foundation
import HTTPTypes
import SlipwayCore
import SlipwayEngine

/// One delivery to an existing endpoint, from its verification on: what it decides and what it writes to the
/// project's delivery log (with the deployment it queues, in one transaction).
struct WebhookIntake {
    let call: RouteCall
    let endpoint: WebhookEndpoint
    let receivedAt: Date

    init(call: RouteCall, endpoint: WebhookEndpoint) {
        self.call = call
        self.endpoint = endpoint
        self.receivedAt = call.backend.clock()
    }

    /// A request header's value, when it was sent.
    func header(_ name: String) -> String? {
        HTTPField.Name(name).flatMap { call.request.headers[$0] }
    }

    /// The provider's id of this delivery, the same on a redelivery; at most 200 characters are kept.
    var deliveryId: String? {
        header(endpoint.provider.deliveryHeader).map { String($0.prefix(200)) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Logs the delivery as rejected for `reason`.
    func reject(_ reason: String, event: String? = nil) async throws {
        _ = try await call.store.recordWebhookDelivery(
            entry(event: event, verdict: .rejected, reason: String(reason.prefix(500))), deployment: nil, job: nil)
    }

    /// Decides what a verified delivery does and logs it: a push to a mapped branch or tag of an environment
    /// with auto-deploy on and instances queues a deployment of the pushed commit; anything else is ignored
    /// with the reason. A delivery id seen before is ignored as a replay (the store decides, atomically).
    func act(on event: WebhookEvent, named name: String) async throws -> WebhookDelivery {
        let name = String(name.prefix(100))
        let push: WebhookPush
        switch event {
        case .ping: return try await record(event: name, .ignored, "ping: the webhook reaches Slipway")
        case .unsupported(let other):
            return try await record(event: name, .ignored, "event '\(other.prefix(100))' does not deploy")
        case .push(let pushed): push = pushed
        }
        guard let sha = push.commitSha else {
            return try await record(event: name, .ignored, "\(describe(push.ref)) was deleted", push: push)
        }
        guard
            let project = try await call.store.project(
                organizationId: endpoint.organizationId, id: endpoint.projectId)
        else { throw SlipwayError.notFound("project") }
        let environments = try await call.store.environments(
            organizationId: project.organizationId, projectId: project.id)
        let environmentId: String? =
            switch push.ref {
            case .branch(let branch): project.environmentId(forBranch: branch, environments: environments)
            case .tag(let tag): project.environmentId(forTag: tag, environments: environments)
            }
        guard let environment = environments.first(where: { $0.id == environmentId }) else {
            return try await record(
                event: name, .ignored, "no branch mapping deploys \(describe(push.ref))", push: push)
        }
        guard environment.autoDeploy else {
            return try await record(
                event: name, .ignored, "auto-deploy is off for environment \(environment.name)", push: push)
        }
        let instances = try await call.store.instances(
            organizationId: project.organizationId, environmentId: environment.id
        ).filter { $0.status != .removing }
        guard !instances.isEmpty else {
            return try await record(
                event: name, .ignored, "environment \(environment.name) has no instances to deploy to", push: push)
        }
        var branch: String?
        var tag: String?
        switch push.ref {
        case .branch(let name): branch = name
        case .tag(let name): tag = name
        }
        let deployment = Deployment(
            organizationId: project.organizationId, projectId: project.id, environmentId: environment.id,
            triggerType: .webhook, branch: branch, commitSha: sha, tag: tag, commitMessage: push.commitMessage,
            commitAuthor: push.commitAuthor, steps: StepPlan.steps(for: project.kind),
            targets: instances.map { .init(instanceId: $0.id) }, createdAt: receivedAt)
        let job = Job(
            organizationId: project.organizationId, kind: .deployment, subjectId: deployment.id,
            concurrencyKey: environment.id, createdAt: receivedAt)
        return try await call.store.recordWebhookDelivery(
            entry(
                event: name, verdict: .deployed,
                reason: "\(describe(push.ref)) deploys environment \(environment.name)",
                push: push, deploymentId: deployment.id),
            deployment: deployment, job: job)
    }

    private func record(
        event: String, _ verdict: WebhookDelivery.Verdict, _ reason: String, push: WebhookPush? = nil
    ) async throws -> WebhookDelivery {
        try await call.store.recordWebhookDelivery(
            entry(event: event, verdict: verdict, reason: reason, push: push), deployment: nil, job: nil)
    }

    private func describe(_ ref: WebhookPush.Ref) -> String {
        switch ref {
        case .branch(let name): "branch '\(name)'"
        case .tag(let name): "tag '\(name)'"
        }
    }

    private func entry(
        event: String?, verdict: WebhookDelivery.Verdict, reason: String?, push: WebhookPush? = nil,
        deploymentId: String? = nil
    ) -> WebhookDelivery {
        var branch: String?
        var tag: String?
        switch push?.ref {
        case .branch(let name): branch = name
        case .tag(let name): tag = name
        case nil: break
        }
        return WebhookDelivery(
            organizationId: endpoint.organizationId, projectId: endpoint.projectId, provider: endpoint.provider,
            event: event, deliveryId: deliveryId, branch: branch, tag: tag, commitSha: push?.commitSha,
            verdict: verdict, reason: reason, deploymentId: deploymentId, receivedAt: receivedAt)
    }
}
