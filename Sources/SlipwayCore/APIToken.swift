import Foundation

/// A bearer credential. Only its SHA-256 hash is stored; the secret is shown once at creation.
///
/// - `personal`: belongs to a user and acts in any organization the user is a member of,
///   with the user's role there.
/// - `apiKey`: belongs to one organization and carries its own permissions (prefix `slw_`).
public struct APIToken: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case personal, apiKey
    }

    public var id: String
    public var kind: Kind
    public var name: String
    /// The first characters of the secret, so a person can tell keys apart.
    public var prefix: String
    /// The organization of an API key; nil for personal tokens.
    public var organizationId: String?
    /// The user of a personal token, or the user who made an API key.
    public var userId: String?
    /// The permissions of an API key; empty for personal tokens, which act with the member's role.
    public var permissions: [Permission]
    /// The role an API key was made from, when it was made from one.
    public var role: String?
    public var expiresAt: Date?
    public var revokedAt: Date?
    public var lastUsedAt: Date?
    public var createdAt: Date

    public init(
        id: String = Identifier.make("key"), kind: Kind, name: String, prefix: String, organizationId: String?,
        userId: String?, permissions: [Permission] = [], role: String? = nil, expiresAt: Date? = nil,
        revokedAt: Date? = nil, lastUsedAt: Date? = nil, createdAt: Date = Date()
    ) {
        self.id = id
        self.kind = kind
        self.name = name
        self.prefix = prefix
        self.organizationId = organizationId
        self.userId = userId
        self.permissions = permissions
        self.role = role
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.lastUsedAt = lastUsedAt
        self.createdAt = createdAt
    }

    /// Usable now: not revoked and not expired.
    public func isActive(at now: Date) -> Bool {
        guard revokedAt == nil else { return false }
        if let expiresAt, expiresAt <= now { return false }
        return true
    }
}
