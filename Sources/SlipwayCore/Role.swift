import Foundation

/// A custom role of one organization: a named permission set.
public struct Role: Codable, Sendable, Equatable {
    public var id: String
    public var organizationId: String
    public var name: String
    public var permissions: [Permission]
    public var createdAt: Date

    public init(
        id: String = Identifier.make("rol"), organizationId: String, name: String, permissions: [Permission],
        createdAt: Date = Date()
    ) {
        self.id = id
        self.organizationId = organizationId
        self.name = name
        self.permissions = permissions
        self.createdAt = createdAt
    }
}
