import Foundation

/// When an environment's instances are backed up, where to, and how many backups stay. The scheduler
/// takes a `backup` snapshot at each time `cron` names (UTC) and copies it to the destination.
public struct BackupSchedule: Codable, Sendable, Equatable {
    /// What the schedule's last run came to; anything but `ok` and `pending` is shown as an alert.
    public enum Status: String, Codable, Sendable, CaseIterable {
        /// Never ran yet.
        case pending
        case ok
        /// The last backup failed (copy, checksum, snapshot) or was much smaller than the one before.
        case failing
        /// A time the schedule named passed without a backup.
        case missed
    }

    public var id: String
    public var organizationId: String
    public var environmentId: String
    /// One instance of the environment; nil backs up every instance of it.
    public var instanceId: String?
    /// As given: a five-field cron expression or a preset (`daily`, `daily at 02:00`, `hourly`, ...).
    public var cron: String
    public var destinationId: String
    public var retention: BackupRetention
    /// Run a restore drill on each backup once it is copied.
    public var verifyAfterBackup: Bool
    public var enabled: Bool
    public var status: Status
    public var statusReason: String?
    /// The last time the schedule named that was taken up (a backup started for it, or it was found missed).
    public var lastDueAt: Date?
    public var lastRunAt: Date?
    public var lastBackupId: String?
    public var nextRunAt: Date?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String = Identifier.make("bks"), organizationId: String, environmentId: String,
        instanceId: String? = nil, cron: String, destinationId: String, retention: BackupRetention = BackupRetention(),
        verifyAfterBackup: Bool = false, enabled: Bool = true, status: Status = .pending, statusReason: String? = nil,
        lastDueAt: Date? = nil, lastRunAt: Date? = nil, lastBackupId: String? = nil, nextRunAt: Date? = nil,
        createdAt: Date = Date(), updatedAt: Date = Date()
    ) {
        self.id = id
        self.organizationId = organizationId
        self.environmentId = environmentId
        self.instanceId = instanceId
        self.cron = cron
        self.destinationId = destinationId
        self.retention = retention
        self.verifyAfterBackup = verifyAfterBackup
        self.enabled = enabled
        self.status = status
        self.statusReason = statusReason
        self.lastDueAt = lastDueAt
        self.lastRunAt = lastRunAt
        self.lastBackupId = lastBackupId
        self.nextRunAt = nextRunAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
