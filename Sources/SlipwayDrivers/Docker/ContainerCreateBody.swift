/// The engine's JSON for `POST /containers/create`, made from a ``ContainerSpec`` and its labels.
struct ContainerCreateBody: Encodable {
    struct Empty: Codable, Sendable, Equatable {}

    struct HostConfig: Encodable {
        var portBindings: [String: [PublishedPort]]
        var mounts: [Mount]
        var restartPolicy: RestartPolicy
        var networkMode: String?
        var memory: Int64?

        enum CodingKeys: String, CodingKey {
            case portBindings = "PortBindings"
            case mounts = "Mounts"
            case restartPolicy = "RestartPolicy"
            case networkMode = "NetworkMode"
            case memory = "Memory"
        }
    }

    struct Mount: Encodable {
        struct VolumeOptions: Encodable {
            var labels: [String: String]
            enum CodingKeys: String, CodingKey { case labels = "Labels" }
        }

        var type: String
        var source: String?
        var target: String
        var readOnly: Bool
        var volumeOptions: VolumeOptions?

        enum CodingKeys: String, CodingKey {
            case type = "Type"
            case source = "Source"
            case target = "Target"
            case readOnly = "ReadOnly"
            case volumeOptions = "VolumeOptions"
        }
    }

    struct RestartPolicy: Encodable {
        var name: String
        var maximumRetryCount: Int?
        enum CodingKeys: String, CodingKey {
            case name = "Name"
            case maximumRetryCount = "MaximumRetryCount"
        }
    }

    struct EndpointSettings: Encodable {
        var aliases: [String]?
        enum CodingKeys: String, CodingKey { case aliases = "Aliases" }
    }

    struct NetworkingConfig: Encodable {
        var endpoints: [String: EndpointSettings]
        enum CodingKeys: String, CodingKey { case endpoints = "EndpointsConfig" }
    }

    var image: String
    var command: [String]?
    var entrypoint: [String]?
    var environment: [String]
    var workingDirectory: String?
    var user: String?
    var labels: [String: String]
    var exposedPorts: [String: Empty]
    var healthCheck: HealthCheckSettings?
    var stopTimeout: Int?
    var hostConfig: HostConfig
    var networkingConfig: NetworkingConfig?

    enum CodingKeys: String, CodingKey {
        case image = "Image"
        case command = "Cmd"
        case entrypoint = "Entrypoint"
        case environment = "Env"
        case workingDirectory = "WorkingDir"
        case user = "User"
        case labels = "Labels"
        case exposedPorts = "ExposedPorts"
        case healthCheck = "Healthcheck"
        case stopTimeout = "StopTimeout"
        case hostConfig = "HostConfig"
        case networkingConfig = "NetworkingConfig"
    }

    /// The create request for `spec`: joined to the first of its networks only, since API 1.41 takes one
    /// endpoint at creation (the client connects the others next).
    init(_ spec: ContainerSpec, labels: [String: String]) {
        image = spec.image
        command = spec.command
        entrypoint = spec.entrypoint
        environment = spec.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        workingDirectory = spec.workingDirectory
        user = spec.user
        self.labels = labels
        exposedPorts = Dictionary(spec.ports.map { ($0.key, Empty()) }, uniquingKeysWith: { first, _ in first })
        healthCheck = spec.healthCheck.map(HealthCheckSettings.init)
        stopTimeout = spec.stopTimeoutSeconds
        let bindings = Dictionary(grouping: spec.ports, by: \.key).mapValues { ports in
            ports.map { PublishedPort(hostAddress: $0.hostAddress, hostPort: $0.hostPort.map(String.init) ?? "") }
        }
        let mounts = spec.mounts.map { mount -> Mount in
            switch mount {
            case .volume(let name, let target, let readOnly):
                Mount(
                    type: "volume", source: name, target: target, readOnly: readOnly,
                    volumeOptions: .init(labels: labels))
            case .bind(let source, let target, let readOnly):
                Mount(type: "bind", source: source, target: target, readOnly: readOnly)
            case .tmpfs(let target):
                Mount(type: "tmpfs", source: nil, target: target, readOnly: false)
            }
        }
        let restart: RestartPolicy =
            switch spec.restartPolicy {
            case .no: RestartPolicy(name: "no")
            case .always: RestartPolicy(name: "always")
            case .unlessStopped: RestartPolicy(name: "unless-stopped")
            case .onFailure(let retries): RestartPolicy(name: "on-failure", maximumRetryCount: retries)
            }
        let first = spec.networks.first
        hostConfig = HostConfig(
            portBindings: bindings, mounts: mounts, restartPolicy: restart, networkMode: first?.network,
            memory: spec.memoryLimitBytes)
        networkingConfig = first.map {
            NetworkingConfig(endpoints: [$0.network: EndpointSettings(aliases: $0.aliases.isEmpty ? nil : $0.aliases)])
        }
    }
}

extension ContainerCreateBody.Mount {
    init(type: String, source: String?, target: String, readOnly: Bool) {
        self.init(type: type, source: source, target: target, readOnly: readOnly, volumeOptions: nil)
    }
}

/// A container's health check as the engine writes it: `["CMD", argv...]` and durations in nanoseconds.
public struct HealthCheckSettings: Codable, Sendable, Equatable {
    public var test: [String]
    public var interval: Int64?
    public var timeout: Int64?
    public var retries: Int?
    public var startPeriod: Int64?

    enum CodingKeys: String, CodingKey {
        case test = "Test"
        case interval = "Interval"
        case timeout = "Timeout"
        case retries = "Retries"
        case startPeriod = "StartPeriod"
    }

    init(_ check: ContainerSpec.HealthCheck) {
        test = ["CMD"] + check.command
        interval = check.interval.nanoseconds
        timeout = check.timeout.nanoseconds
        retries = check.retries
        startPeriod = check.startPeriod.nanoseconds
    }
}

/// A port published on the server: its address and port number (as text, the way the engine writes it).
public struct PublishedPort: Codable, Sendable, Equatable {
    public var hostAddress: String
    public var hostPort: String

    public init(hostAddress: String, hostPort: String) {
        self.hostAddress = hostAddress
        self.hostPort = hostPort
    }

    enum CodingKeys: String, CodingKey {
        case hostAddress = "HostIp"
        case hostPort = "HostPort"
    }
}
