import Foundation

/// One run of the pipeline for an environment (optionally one instance).
/// A completed deployment is a release: a rollback point.
public struct Deployment: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable, CaseIterable {
        case queued, running, completed, failed, cancelled
    }

    public enum TriggerType: String, Codable, Sendable, CaseIterable {
        case manual, webhook, rollback
    }

    public var id: String
    public var organizationId: String
    public var projectId: String
    public var environmentId: String
    public var instanceId: String?
    public var triggerType: TriggerType
    public var branch: String?
    public var commitSha: String?
    public var tag: String?
    public var commitMessage: String?
    public var commitAuthor: String?
    public var status: Status
    public var snapshotId: String?
    public var activeColor: Instance.Color?
    public var imageDigest: String?
    public var durationMs: Int?
    public var error: String?
    public var steps: [Step]
    public var createdAt: Date
    public var startedAt: Date?
    public var completedAt: Date?

    public init(
        id: String = Identifier.make("dep"), organizationId: String, projectId: String, environmentId: String,
        instanceId: String? = nil, triggerType: TriggerType, branch: String? = nil, commitSha: String? = nil,
        tag: String? = nil, commitMessage: String? = nil, commitAuthor: String? = nil, status: Status = .queued,
        snapshotId: String? = nil, activeColor: Instance.Color? = nil, imageDigest: String? = nil,
        durationMs: Int? = nil, error: String? = nil, steps: [Step] = Step.Name.allCases.map { Step(name: $0) },
        createdAt: Date = Date(), startedAt: Date? = nil, completedAt: Date? = nil
    ) {
        self.id = id
        self.organizationId = organizationId
        self.projectId = projectId
        self.environmentId = environmentId
        self.instanceId = instanceId
        self.triggerType = triggerType
        self.branch = branch
        self.commitSha = commitSha
        self.tag = tag
        self.commitMessage = commitMessage
        self.commitAuthor = commitAuthor
        self.status = status
        self.snapshotId = snapshotId
        self.activeColor = activeColor
        self.imageDigest = imageDigest
        self.durationMs = durationMs
        self.error = error
        self.steps = steps
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.completedAt = completedAt
    }
}
