import Foundation

/// One delivery a Git provider sent to a project's webhook, kept with what Slipway made of it: the deployment
/// it queued, or why it was ignored or rejected.
public struct WebhookDelivery: Codable, Sendable, Equatable {
    public enum Verdict: String, Codable, Sendable, CaseIterable {
        /// A deployment was queued (`deploymentId`).
        case deployed
        /// Verified, and nothing to deploy: `reason` says why (an unmapped branch, auto-deploy off, a replay...).
        case ignored
        /// Not accepted (a bad signature, a missing header, a body that is not JSON...): `reason` says which.
        case rejected
    }

    public var id: String
    public var organizationId: String
    public var projectId: String
    public var provider: GitProvider
    /// The event as the provider named it (`push`, `Push Hook`, `repo:push`); nil when the header was missing.
    public var event: String?
    /// The provider's id of the delivery, the same when it redelivers; nil when it sent none.
    public var deliveryId: String?
    public var branch: String?
    public var tag: String?
    public var commitSha: String?
    public var verdict: Verdict
    public var reason: String?
    public var deploymentId: String?
    public var receivedAt: Date

    public init(
        id: String = Identifier.make("whd"), organizationId: String, projectId: String, provider: GitProvider,
        event: String? = nil, deliveryId: String? = nil, branch: String? = nil, tag: String? = nil,
        commitSha: String? = nil, verdict: Verdict, reason: String? = nil, deploymentId: String? = nil,
        receivedAt: Date = Date()
    ) {
        self.id = id
        self.organizationId = organizationId
        self.projectId = projectId
        self.provider = provider
        self.event = event
        self.deliveryId = deliveryId
        self.branch = branch
        self.tag = tag
        self.commitSha = commitSha
        self.verdict = verdict
        self.reason = reason
        self.deploymentId = deploymentId
        self.receivedAt = receivedAt
    }

    /// `deployed`, or the verdict with its reason: `ignored: no environment deploys branch 'x'`.
    public var summary: String {
        guard verdict != .deployed, let reason else { return verdict.rawValue }
        return "\(verdict.rawValue): \(reason)"
    }
}
