import Foundation

/// One running app of an environment on one server: its containers (blue and green, one active), its
/// own database on the server's database service, its filestore volume (Odoo), its route through the
/// server's Caddy, its environment variables and secrets.
public struct Instance: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable, CaseIterable {
        /// Provisioned, with no image to run yet: waiting for its first deployment.
        case created
        case creating, running, stopped, restarting, failed, removing
    }

    public enum Color: String, Codable, Sendable, CaseIterable {
        case blue, green

        public var other: Color { self == .blue ? .green : .blue }
    }

    /// The ports on the server's loopback that each colour's container is published on; Caddy sends
    /// the instance's traffic to the active one. Allocated at creation, unique on the server.
    public struct HostPorts: Codable, Sendable, Equatable {
        public var blue: Int
        public var green: Int

        public init(blue: Int, green: Int) {
            self.blue = blue
            self.green = green
        }

        public subscript(color: Color) -> Int { color == .blue ? blue : green }
    }

    public var id: String
    public var organizationId: String
    public var projectId: String
    public var environmentId: String
    public var serverId: String
    public var name: String
    /// The app kind, the project's: `odoo` or `generic`.
    public var kind: Project.Kind
    public var status: Status
    /// Why the instance is `failed` (or what it waits for).
    public var statusReason: String?
    public var activeColor: Color?
    /// The port the app listens on inside its container (8069 for Odoo).
    public var port: Int?
    public var healthPath: String?
    /// The image the instance runs; nil for an instance of a Git project before its first deployment.
    public var image: String?
    /// The host names Caddy routes to the instance.
    public var domains: [String]
    /// Environment variables (not secret) given to its containers.
    public var env: [String: String]
    /// The names of its secrets; their values are never answered.
    public var secretNames: [String]
    public var hostPorts: HostPorts?
    /// Its database (and role) on the server's database service.
    public var databaseName: String?
    /// The last lines its container wrote, kept when it failed.
    public var lastLogLines: [String]
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String = Identifier.make("ins"), organizationId: String, projectId: String, environmentId: String,
        serverId: String, name: String, kind: Project.Kind = .generic, status: Status = .created,
        statusReason: String? = nil, activeColor: Color? = nil, port: Int? = nil, healthPath: String? = nil,
        image: String? = nil, domains: [String] = [], env: [String: String] = [:], secretNames: [String] = [],
        hostPorts: HostPorts? = nil, databaseName: String? = nil, lastLogLines: [String] = [],
        createdAt: Date = Date(), updatedAt: Date = Date()
    ) {
        self.id = id
        self.organizationId = organizationId
        self.projectId = projectId
        self.environmentId = environmentId
        self.serverId = serverId
        self.name = name
        self.kind = kind
        self.status = status
        self.statusReason = statusReason
        self.activeColor = activeColor
        self.port = port
        self.healthPath = healthPath
        self.image = image
        self.domains = domains
        self.env = env
        self.secretNames = secretNames
        self.hostPorts = hostPorts
        self.databaseName = databaseName
        self.lastLogLines = lastLogLines
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The name of the container of one colour on the server.
    public func containerName(_ color: Color) -> String { "slipway-\(id)-\(color.rawValue)" }

    /// The id of its route in the server's Caddy.
    public var routeId: String { "slipway-\(id)" }

    /// The host name every instance answers on before it has domains of its own: `NAME-SUFFIX.localhost`,
    /// which browsers resolve to the machine they run on.
    public var defaultDomain: String {
        let label = name.lowercased().unicodeScalars.map {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) ? Character($0) : "-"
        }
        let trimmed = String(label).split(separator: "-").joined(separator: "-").prefix(40)
        return "\(trimmed.isEmpty ? "app" : trimmed)-\(id.suffix(8)).localhost"
    }
}
