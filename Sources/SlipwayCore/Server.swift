import Foundation

/// A Linux machine reached over SSH. Its credential (private key or password) is stored
/// encrypted apart from this record and never leaves the store through the API.
public struct Server: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable, CaseIterable {
        case pending, provisioning, active, unreachable, error
    }

    public enum AuthMethod: String, Codable, Sendable, CaseIterable {
        case privateKey, password, local
    }

    public var id: String
    public var organizationId: String
    public var name: String
    public var host: String
    public var port: Int
    public var user: String
    public var authMethod: AuthMethod
    public var status: Status
    public var statusReason: String?
    public var hostKeyFingerprint: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String = Identifier.make("srv"), organizationId: String, name: String, host: String, port: Int = 22,
        user: String, authMethod: AuthMethod, status: Status = .pending, statusReason: String? = nil,
        hostKeyFingerprint: String? = nil, createdAt: Date = Date(), updatedAt: Date = Date()
    ) {
        self.id = id
        self.organizationId = organizationId
        self.name = name
        self.host = host
        self.port = port
        self.user = user
        self.authMethod = authMethod
        self.status = status
        self.statusReason = statusReason
        self.hostKeyFingerprint = hostKeyFingerprint
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
