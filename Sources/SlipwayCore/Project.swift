import Foundation

/// A group of instances under one Git repository and app kind.
public struct Project: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case odoo, generic
    }

    public var id: String
    public var organizationId: String
    public var name: String
    public var repoUrl: String
    public var kind: Kind
    public var branchMappings: [BranchMapping]
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String = Identifier.make("prj"), organizationId: String, name: String, repoUrl: String, kind: Kind,
        branchMappings: [BranchMapping] = [], createdAt: Date = Date(), updatedAt: Date = Date()
    ) {
        self.id = id
        self.organizationId = organizationId
        self.name = name
        self.repoUrl = repoUrl
        self.kind = kind
        self.branchMappings = branchMappings
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// Which environment a push to a branch deploys; the highest priority match wins.
public struct BranchMapping: Codable, Sendable, Equatable {
    public var branchPattern: String
    public var environmentId: String
    public var priority: Int

    public init(branchPattern: String, environmentId: String, priority: Int = 0) {
        self.branchPattern = branchPattern
        self.environmentId = environmentId
        self.priority = priority
    }
}
