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

    /// One instance the deployment moves: what ran there before (so a failure or a rollback knows what
    /// to bring back) and what the deployment built and started for it. Recorded as the steps go, so a
    /// resumed deployment carries on from where the last control plane stopped.
    public struct Target: Codable, Sendable, Equatable {
        public var instanceId: String
        /// Its pre-deploy snapshot (or a rollback's safety snapshot).
        public var snapshotId: String?
        /// The image (by digest) and colour that served before; nil before the first deployment.
        public var previousImage: String?
        public var previousColor: Instance.Color?
        /// The image this deployment runs, `registry/repository@sha256:...`, and the colour it starts it in.
        public var image: String?
        public var color: Instance.Color?
        /// Whether the module update ran against its database (then a failure restores the snapshot).
        public var databaseTouched: Bool

        public init(
            instanceId: String, snapshotId: String? = nil, previousImage: String? = nil,
            previousColor: Instance.Color? = nil, image: String? = nil, color: Instance.Color? = nil,
            databaseTouched: Bool = false
        ) {
            self.instanceId = instanceId
            self.snapshotId = snapshotId
            self.previousImage = previousImage
            self.previousColor = previousColor
            self.image = image
            self.color = color
            self.databaseTouched = databaseTouched
        }
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
    /// The instances it moves, with what it recorded for each.
    public var targets: [Target]
    /// For a rollback: the deployment rolled back (its pre-deploy snapshot and the image before it come back).
    public var rollbackOf: String?
    /// Set by a cancel: the pipeline stops at its next safe point (before the traffic switch).
    public var cancelRequested: Bool
    public var createdAt: Date
    public var startedAt: Date?
    public var completedAt: Date?

    public init(
        id: String = Identifier.make("dep"), organizationId: String, projectId: String, environmentId: String,
        instanceId: String? = nil, triggerType: TriggerType, branch: String? = nil, commitSha: String? = nil,
        tag: String? = nil, commitMessage: String? = nil, commitAuthor: String? = nil, status: Status = .queued,
        snapshotId: String? = nil, activeColor: Instance.Color? = nil, imageDigest: String? = nil,
        durationMs: Int? = nil, error: String? = nil, steps: [Step] = Step.Name.allCases.map { Step(name: $0) },
        targets: [Target] = [], rollbackOf: String? = nil, cancelRequested: Bool = false, createdAt: Date = Date(),
        startedAt: Date? = nil, completedAt: Date? = nil
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
        self.targets = targets
        self.rollbackOf = rollbackOf
        self.cancelRequested = cancelRequested
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.completedAt = completedAt
    }
}

extension Deployment {
    /// Whether it has ended: completed, failed or cancelled.
    public var hasEnded: Bool { status == .completed || status == .failed || status == .cancelled }

    /// The step named `name`.
    public func step(_ name: Step.Name) -> Step? { steps.first { $0.name == name } }
}
