import Foundation

/// One restore of a snapshot into an instance (its own, or another of the same project), recorded
/// step by step like a deployment so the user watches it happen.
public struct Restore: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable, CaseIterable {
        case queued, running, completed, failed
    }

    /// One stage, as it happened.
    public struct Progress: Codable, Sendable, Equatable {
        public var name: String
        public var status: Step.Status
        public var output: String
        public var startedAt: Date?
        public var completedAt: Date?

        public init(
            name: String, status: Step.Status, output: String = "", startedAt: Date? = nil, completedAt: Date? = nil
        ) {
            self.name = name
            self.status = status
            self.output = output
            self.startedAt = startedAt
            self.completedAt = completedAt
        }
    }

    public var id: String
    public var organizationId: String
    public var environmentId: String
    public var snapshotId: String
    /// The instance restored into.
    public var instanceId: String
    /// Whether a safety snapshot is taken first.
    public var safetySnapshot: Bool
    public var safetySnapshotId: String?
    public var status: Status
    public var statusReason: String?
    public var steps: [Progress]
    public var createdAt: Date
    public var completedAt: Date?

    public init(
        id: String = Identifier.make("rst"), organizationId: String, environmentId: String, snapshotId: String,
        instanceId: String, safetySnapshot: Bool = true, safetySnapshotId: String? = nil, status: Status = .queued,
        statusReason: String? = nil, steps: [Progress] = [], createdAt: Date = Date(), completedAt: Date? = nil
    ) {
        self.id = id
        self.organizationId = organizationId
        self.environmentId = environmentId
        self.snapshotId = snapshotId
        self.instanceId = instanceId
        self.safetySnapshot = safetySnapshot
        self.safetySnapshotId = safetySnapshotId
        self.status = status
        self.statusReason = statusReason
        self.steps = steps
        self.createdAt = createdAt
        self.completedAt = completedAt
    }
}
