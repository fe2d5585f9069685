import Foundation

/// A `backup` snapshot of one instance copied to a destination, and what is known of that copy: its
/// checksums as read back at the destination, and the last restore drill's result.
public struct Backup: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable, CaseIterable {
        case pending, running, completed, failed
    }

    /// A restore drill's verdict.
    public enum DrillStatus: String, Codable, Sendable, CaseIterable {
        case running, passed, failed
    }

    public var id: String
    public var organizationId: String
    public var environmentId: String
    public var instanceId: String
    /// The schedule that made it; nil for one run by hand.
    public var scheduleId: String?
    public var snapshotId: String?
    public var destinationId: String
    public var status: Status
    public var statusReason: String?
    public var sizeBytes: Int
    public var databaseBytes: Int?
    public var databaseSha256: String?
    public var filestoreBytes: Int?
    public var filestoreSha256: String?
    /// The directory holding its files at the destination.
    public var location: String?
    /// When the copy was read back at the destination and its checksums matched.
    public var verifiedAt: Date?
    public var drillStatus: DrillStatus?
    /// What the drill found: tables, the check query's answer, the filestore's file count; or why it failed.
    public var drillReport: String?
    public var drillAt: Date?
    public var createdAt: Date
    public var completedAt: Date?

    public init(
        id: String = Identifier.make("bak"), organizationId: String, environmentId: String, instanceId: String,
        scheduleId: String? = nil, snapshotId: String? = nil, destinationId: String, status: Status = .pending,
        statusReason: String? = nil, sizeBytes: Int = 0, databaseBytes: Int? = nil, databaseSha256: String? = nil,
        filestoreBytes: Int? = nil, filestoreSha256: String? = nil, location: String? = nil, verifiedAt: Date? = nil,
        drillStatus: DrillStatus? = nil, drillReport: String? = nil, drillAt: Date? = nil, createdAt: Date = Date(),
        completedAt: Date? = nil
    ) {
        self.id = id
        self.organizationId = organizationId
        self.environmentId = environmentId
        self.instanceId = instanceId
        self.scheduleId = scheduleId
        self.snapshotId = snapshotId
        self.destinationId = destinationId
        self.status = status
        self.statusReason = statusReason
        self.sizeBytes = sizeBytes
        self.databaseBytes = databaseBytes
        self.databaseSha256 = databaseSha256
        self.filestoreBytes = filestoreBytes
        self.filestoreSha256 = filestoreSha256
        self.location = location
        self.verifiedAt = verifiedAt
        self.drillStatus = drillStatus
        self.drillReport = drillReport
        self.drillAt = drillAt
        self.createdAt = createdAt
        self.completedAt = completedAt
    }
}
