import Foundation

/// Something about an environment a person must see: a backup that did not run, failed, came out much
/// smaller than the one before, or failed its restore drill. Open until resolved: by a later success of
/// the same subject, or by hand.
public struct Alert: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case backupMissed = "backup-missed"
        case backupFailed = "backup-failed"
        case backupSmaller = "backup-smaller"
        case drillFailed = "drill-failed"
    }

    public var id: String
    public var organizationId: String
    public var environmentId: String
    public var kind: Kind
    /// The schedule or backup it is about.
    public var subjectId: String
    public var message: String
    public var createdAt: Date
    public var resolvedAt: Date?

    public init(
        id: String = Identifier.make("alr"), organizationId: String, environmentId: String, kind: Kind,
        subjectId: String, message: String, createdAt: Date = Date(), resolvedAt: Date? = nil
    ) {
        self.id = id
        self.organizationId = organizationId
        self.environmentId = environmentId
        self.kind = kind
        self.subjectId = subjectId
        self.message = message
        self.createdAt = createdAt
        self.resolvedAt = resolvedAt
    }
}
