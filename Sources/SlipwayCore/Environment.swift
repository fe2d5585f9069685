import Foundation

/// A stage of a project, tied to a branch, with its deploy settings.
public struct Environment: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case production, staging, development
    }

    public var id: String
    public var organizationId: String
    public var projectId: String
    public var name: String
    public var type: Kind
    public var branch: String
    public var autoDeploy: Bool
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String = Identifier.make("env"), organizationId: String, projectId: String, name: String, type: Kind,
        branch: String, autoDeploy: Bool = true, createdAt: Date = Date(), updatedAt: Date = Date()
    ) {
        self.id = id
        self.organizationId = organizationId
        self.projectId = projectId
        self.name = name
        self.type = type
        self.branch = branch
        self.autoDeploy = autoDeploy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
