import Foundation

/// A person. Users belong to organizations through memberships.
public struct User: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var email: String
    public var createdAt: Date

    public init(id: String = Identifier.make("usr"), name: String, email: String, createdAt: Date = Date()) {
        self.id = id
        self.name = name
        self.email = email
        self.createdAt = createdAt
    }
}
