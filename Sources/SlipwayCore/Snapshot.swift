import Foundation

/// A database dump plus a filestore archive of an instance at a moment.
public struct Snapshot: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case preDeploy = "pre-deploy"
        case manual
        case backup
    }

    public enum Status: String, Codable, Sendable, CaseIterable {
        case pending, running, completed, failed
    }

    public var id: String
    public var organizationId: String
    public var environmentId: String
    public var instanceId: String
    public var kind: Kind
    public var status: Status
    public var statusReason: String?
    /// Both parts together.
    public var sizeBytes: Int
    /// The database dump (`pg_dump` custom format).
    public var databaseBytes: Int?
    public var databaseSha256: String?
    /// The filestore archive (tar, gzip); nil for an app without a filestore.
    public var filestoreBytes: Int?
    public var filestoreSha256: String?
    public var pinned: Bool
    /// Where its files are on the server: `VOLUME:/SNAPSHOT_ID/`.
    public var location: String?
    public var createdAt: Date
    public var completedAt: Date?

    public init(
        id: String = Identifier.make("snp"), organizationId: String, environmentId: String, instanceId: String,
        kind: Kind, status: Status = .pending, statusReason: String? = nil, sizeBytes: Int = 0,
        databaseBytes: Int? = nil, databaseSha256: String? = nil, filestoreBytes: Int? = nil,
        filestoreSha256: String? = nil, pinned: Bool = false, location: String? = nil, createdAt: Date = Date(),
        completedAt: Date? = nil
    ) {
        self.id = id
        self.organizationId = organizationId
        self.environmentId = environmentId
        self.instanceId = instanceId
        self.kind = kind
        self.status = status
        self.statusReason = statusReason
        self.sizeBytes = sizeBytes
        self.databaseBytes = databaseBytes
        self.databaseSha256 = databaseSha256
        self.filestoreBytes = filestoreBytes
        self.filestoreSha256 = filestoreSha256
        self.pinned = pinned
        self.location = location
        self.createdAt = createdAt
        self.completedAt = completedAt
    }
}
