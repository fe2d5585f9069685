import Foundation

/// One mutating request, kept for those allowed to read the audit log.
public struct AuditEntry: Codable, Sendable, Equatable {
    public var id: String
    public var organizationId: String
    public var actorId: String?
    public var actorName: String
    /// The method and route, like `POST /api/projects`.
    public var action: String
    /// The kind of record, like `projects`.
    public var resource: String
    public var resourceId: String?
    /// The HTTP status the request ended with.
    public var result: Int
    public var ip: String?
    public var userAgent: String?
    public var requestId: String
    public var createdAt: Date

    public init(
        id: String = Identifier.make("aud"), organizationId: String, actorId: String?, actorName: String,
        action: String, resource: String, resourceId: String?, result: Int, ip: String?, userAgent: String?,
        requestId: String, createdAt: Date = Date()
    ) {
        self.id = id
        self.organizationId = organizationId
        self.actorId = actorId
        self.actorName = actorName
        self.action = action
        self.resource = resource
        self.resourceId = resourceId
        self.result = result
        self.ip = ip
        self.userAgent = userAgent
        self.requestId = requestId
        self.createdAt = createdAt
    }
}
