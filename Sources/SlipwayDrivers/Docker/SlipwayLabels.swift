import Foundation

/// The labels every container, volume, network and image Slipway creates carries: which organization,
/// project, environment and instance it belongs to, and `io.slipway.managed=true`. Every create call of
/// ``DockerClient`` requires one; list and prune calls only see objects with the managed label.
///
/// The services a server runs for all its instances (its registry, its proxy, its database) belong to
/// no project: their labels name the organization, the server and the service instead
/// (``service(organizationId:serverId:service:)``).
public struct SlipwayLabels: Sendable, Equatable, Hashable {
    /// Marks an object as Slipway's own.
    public static let managedKey = "io.slipway.managed"
    public static let organizationKey = "io.slipway.org"
    public static let projectKey = "io.slipway.project"
    public static let environmentKey = "io.slipway.environment"
    public static let instanceKey = "io.slipway.instance"
    public static let serverKey = "io.slipway.server"
    public static let serviceKey = "io.slipway.service"

    static let reservedKeys: Set<String> = [
        managedKey, organizationKey, projectKey, environmentKey, instanceKey, serverKey, serviceKey,
    ]

    public var organizationId: String
    public var projectId: String
    public var environmentId: String
    /// The instance; containers and volumes must name one, a network shared by an environment need not.
    public var instanceId: String?
    /// More labels of the caller's own (like `io.slipway.color=blue`); the keys above are refused here.
    public var extra: [String: String]
    /// For a server's own service: the server and the service's name (`registry`, `proxy`, `database`).
    public private(set) var serverService: (serverId: String, service: String)?

    public init(
        organizationId: String, projectId: String, environmentId: String, instanceId: String? = nil,
        extra: [String: String] = [:]
    ) {
        self.organizationId = organizationId
        self.projectId = projectId
        self.environmentId = environmentId
        self.instanceId = instanceId
        self.extra = extra
    }

    /// The labels of a service a server runs for all its instances, like its registry or its proxy.
    public static func service(organizationId: String, serverId: String, service: String) -> SlipwayLabels {
        var labels = SlipwayLabels(organizationId: organizationId, projectId: "", environmentId: "")
        labels.serverService = (serverId, service)
        return labels
    }

    public static func == (left: SlipwayLabels, right: SlipwayLabels) -> Bool {
        (try? left.dictionary()) == (try? right.dictionary())
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(try? dictionary())
    }

    /// The labels as the engine stores them, after checking they are complete.
    public func dictionary() throws -> [String: String] {
        let ids =
            if let serverService {
                [
                    (Self.organizationKey, organizationId), (Self.serverKey, serverService.serverId),
                    (Self.serviceKey, serverService.service),
                ]
            } else {
                [
                    (Self.organizationKey, organizationId), (Self.projectKey, projectId),
                    (Self.environmentKey, environmentId),
                ]
            }
        var labels: [String: String] = [:]
        for (key, value) in extra {
            guard !Self.reservedKeys.contains(key) else {
                throw invalid("label \(key) is set by Slipway and cannot be given as an extra label")
            }
            labels[key] = value
        }
        for (key, value) in ids {
            guard !value.isEmpty else { throw invalid("label \(key) needs a value") }
            labels[key] = value
        }
        if let instanceId {
            guard !instanceId.isEmpty else { throw invalid("label \(Self.instanceKey) needs a value") }
            labels[Self.instanceKey] = instanceId
        }
        labels[Self.managedKey] = "true"
        return labels
    }

    /// The labels of an object that must belong to one instance or to a server's service (containers, volumes).
    func instanceDictionary(operation: String) throws -> [String: String] {
        guard instanceId != nil || serverService != nil else {
            throw DockerError(
                .invalidRequest, message: "labels must name the instance (\(Self.instanceKey))", operation: operation)
        }
        return try dictionary()
    }

    /// Whether the labels of an object read back from the engine mark it as Slipway's.
    public static func isManaged(_ labels: [String: String]?) -> Bool {
        labels?[managedKey] == "true"
    }

    private func invalid(_ message: String) -> DockerError {
        DockerError(.invalidRequest, message: message, operation: "labels")
    }
}

extension SlipwayLabels {
    /// Which of Slipway's objects a list or prune call sees: always `io.slipway.managed=true`, narrowed by
    /// any ids given here.
    public struct Selector: Sendable, Equatable {
        public var organizationId: String?
        public var projectId: String?
        public var environmentId: String?
        public var instanceId: String?
        public var serverId: String?
        public var service: String?
        /// More `key=value` (or bare `key`) label conditions, all of which must hold.
        public var extra: [String]

        /// Every object Slipway manages.
        public static let all = Selector()

        public init(
            organizationId: String? = nil, projectId: String? = nil, environmentId: String? = nil,
            instanceId: String? = nil, serverId: String? = nil, service: String? = nil, extra: [String] = []
        ) {
            self.organizationId = organizationId
            self.projectId = projectId
            self.environmentId = environmentId
            self.instanceId = instanceId
            self.serverId = serverId
            self.service = service
            self.extra = extra
        }

        /// The label conditions, the managed one first.
        public var conditions: [String] {
            var conditions = ["\(SlipwayLabels.managedKey)=true"]
            let ids = [
                (SlipwayLabels.organizationKey, organizationId), (SlipwayLabels.projectKey, projectId),
                (SlipwayLabels.environmentKey, environmentId), (SlipwayLabels.instanceKey, instanceId),
                (SlipwayLabels.serverKey, serverId), (SlipwayLabels.serviceKey, service),
            ]
            for case (let key, let value?) in ids {
                conditions.append("\(key)=\(value)")
            }
            return conditions + extra
        }

        /// The engine's `filters` query parameter: `{"label": [...]}` plus any other filters given.
        func filters(adding other: [String: [String]] = [:]) throws -> String {
            var filters = other
            filters["label"] = conditions
            let data = try JSONEncoder().encode(filters)
            return String(decoding: data, as: UTF8.self)
        }
    }
}

extension DockerClient {
    /// Refuses to act on an object that is not labelled `io.slipway.managed=true`.
    func requireManaged(_ labels: [String: String]?, _ what: String, operation: String) throws {
        guard SlipwayLabels.isManaged(labels) else {
            throw DockerError(
                .notManaged, message: "\(what) is not managed by Slipway (no \(SlipwayLabels.managedKey)=true label)",
                operation: operation)
        }
    }
}
