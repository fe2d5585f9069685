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
    /// Whether verification may install Docker with the distribution's packages when it is missing.
    public var allowDockerInstall: Bool
    /// The Docker engine's socket on the server (rootless Docker and test engines live elsewhere).
    public var dockerSocketPath: String
    /// The loopback port of the server's Docker registry (images are pushed there and run by digest).
    public var registryPort: Int
    /// The loopback port of the server's Caddy admin API.
    public var proxyAdminPort: Int
    /// The port Caddy serves the instances' routes on (HTTP).
    public var proxyHTTPPort: Int
    public var facts: ServerFacts?
    public var provisioningSteps: [ProvisioningStep]
    /// When verification or the health check last reached the server.
    public var lastCheckedAt: Date?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String = Identifier.make("srv"), organizationId: String, name: String, host: String, port: Int = 22,
        user: String, authMethod: AuthMethod, status: Status = .pending, statusReason: String? = nil,
        hostKeyFingerprint: String? = nil, allowDockerInstall: Bool = false,
        dockerSocketPath: String = Server.defaultDockerSocketPath, registryPort: Int = Server.defaultRegistryPort,
        proxyAdminPort: Int = Server.defaultProxyAdminPort, proxyHTTPPort: Int = Server.defaultProxyHTTPPort,
        facts: ServerFacts? = nil,
        provisioningSteps: [ProvisioningStep] = [], lastCheckedAt: Date? = nil, createdAt: Date = Date(),
        updatedAt: Date = Date()
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
        self.allowDockerInstall = allowDockerInstall
        self.dockerSocketPath = dockerSocketPath
        self.registryPort = registryPort
        self.proxyAdminPort = proxyAdminPort
        self.proxyHTTPPort = proxyHTTPPort
        self.facts = facts
        self.provisioningSteps = provisioningSteps
        self.lastCheckedAt = lastCheckedAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

extension Server {
    public static let defaultDockerSocketPath = "/var/run/docker.sock"
    public static let defaultRegistryPort = 5000
    public static let defaultProxyAdminPort = 2019
    public static let defaultProxyHTTPPort = 80
}
