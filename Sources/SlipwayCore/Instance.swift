import Foundation

/// One running app of an environment on one server. This issue keeps the record;
/// the instances issue makes it run.
public struct Instance: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable, CaseIterable {
        case created, creating, running, stopped, restarting, failed, removing
    }

    public enum Color: String, Codable, Sendable, CaseIterable {
        case blue, green
    }

    public var id: String
    public var organizationId: String
    public var projectId: String
    public var environmentId: String
    public var serverId: String
    public var name: String
    public var status: Status
    public var activeColor: Color?
    public var port: Int?
    public var healthPath: String?
    public var image: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String = Identifier.make("ins"), organizationId: String, projectId: String, environmentId: String,
        serverId: String, name: String, status: Status = .created, activeColor: Color? = nil, port: Int? = nil,
        healthPath: String? = nil, image: String? = nil, createdAt: Date = Date(), updatedAt: Date = Date()
    ) {
        self.id = id
        self.organizationId = organizationId
        self.projectId = projectId
        self.environmentId = environmentId
        self.serverId = serverId
        self.name = name
        self.status = status
        self.activeColor = activeColor
        self.port = port
        self.healthPath = healthPath
        self.image = image
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
