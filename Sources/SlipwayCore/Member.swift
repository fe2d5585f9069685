import Foundation

/// A user's membership of an organization, with one role: a system role name or a custom role's id.
public struct Member: Codable, Sendable, Equatable {
    public var organizationId: String
    public var userId: String
    public var role: String
    public var userName: String
    public var email: String
    public var createdAt: Date

    public init(
        organizationId: String, userId: String, role: String, userName: String, email: String,
        createdAt: Date = Date()
    ) {
        self.organizationId = organizationId
        self.userId = userId
        self.role = role
        self.userName = userName
        self.email = email
        self.createdAt = createdAt
    }
}
