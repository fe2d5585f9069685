import Foundation

/// One unit of background work in the durable queue: a server verification, later a deployment.
/// Jobs survive a restart of the control plane; a worker holds a job through a lease it renews,
/// and a job whose lease ran out (its worker died) is claimed again.
public struct Job: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case serverVerify = "server.verify"
        case deployment
        /// Prepare an instance: its database, volumes and route; start it when it has an image.
        case instanceProvision = "instance.provision"
        case instanceStart = "instance.start"
        case instanceStop = "instance.stop"
        case instanceRestart = "instance.restart"
        /// Remove the containers and the route; the database and filestore stay.
        case instanceRemove = "instance.remove"
        /// Remove everything, the database and filestore too.
        case instancePurge = "instance.purge"
        /// Take a snapshot (its record exists, `pending`).
        case snapshotCreate = "snapshot.create"
        /// Restore a snapshot into an instance (the job's subject is the restore record).
        case snapshotRestore = "snapshot.restore"
        /// Remove the snapshots an environment's retention lets go (the subject is the environment).
        case snapshotCleanup = "snapshot.cleanup"
        /// Take a backup snapshot and copy it to its destination (the subject is the backup record).
        case backupRun = "backup.run"
        /// Run a restore drill of a backup in a scratch database (the subject is the backup record).
        case backupVerify = "backup.verify"
    }

    public enum Status: String, Codable, Sendable, CaseIterable {
        case queued, running, completed, failed, cancelled
    }

    public var id: String
    public var organizationId: String
    public var kind: Kind
    /// The record the job works on: a server id, a deployment id.
    public var subjectId: String
    /// Jobs with the same key run one at a time (a deployment's environment); nil runs freely.
    public var concurrencyKey: String?
    public var status: Status
    public var attempts: Int
    public var leaseOwner: String?
    public var leaseExpiresAt: Date?
    public var error: String?
    public var createdAt: Date
    public var startedAt: Date?
    public var completedAt: Date?

    public init(
        id: String = Identifier.make("job"), organizationId: String, kind: Kind, subjectId: String,
        concurrencyKey: String? = nil, status: Status = .queued, attempts: Int = 0, leaseOwner: String? = nil,
        leaseExpiresAt: Date? = nil, error: String? = nil, createdAt: Date = Date(), startedAt: Date? = nil,
        completedAt: Date? = nil
    ) {
        self.id = id
        self.organizationId = organizationId
        self.kind = kind
        self.subjectId = subjectId
        self.concurrencyKey = concurrencyKey
        self.status = status
        self.attempts = attempts
        self.leaseOwner = leaseOwner
        self.leaseExpiresAt = leaseExpiresAt
        self.error = error
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.completedAt = completedAt
    }
}
