import Foundation

/// The tenant. Every other record belongs to exactly one organization.
public struct Organization: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var slug: String
    public var createdAt: Date

    public init(id: String = Identifier.make("org"), name: String, slug: String, createdAt: Date = Date()) {
        self.id = id
        self.name = name
        self.slug = slug
        self.createdAt = createdAt
    }
}
