/// What a container should be: the request behind ``DockerClient/createContainer(_:labels:)``, in Swift
/// terms, which the client turns into the engine's JSON.
public struct ContainerSpec: Sendable, Equatable {
    /// A port of the container published on the server.
    public struct PortBinding: Sendable, Equatable {
        public enum Transport: String, Sendable, Equatable {
            case tcp
            case udp
        }

        public var containerPort: Int
        public var transport: Transport
        /// The address on the server; loopback by default, since the proxy in front reaches it there.
        public var hostAddress: String
        /// The port on the server; nil lets the engine pick a free one.
        public var hostPort: Int?

        public init(
            containerPort: Int, transport: Transport = .tcp, hostAddress: String = "127.0.0.1", hostPort: Int? = nil
        ) {
            self.containerPort = containerPort
            self.transport = transport
            self.hostAddress = hostAddress
            self.hostPort = hostPort
        }

        /// `80/tcp`, as the engine names a container port.
        public var key: String { "\(containerPort)/\(transport.rawValue)" }
    }

    /// Storage mounted into the container.
    public enum Mount: Sendable, Equatable {
        /// A named volume; one the engine creates on the fly gets the container's labels.
        case volume(name: String, target: String, readOnly: Bool = false)
        /// A path of the server.
        case bind(source: String, target: String, readOnly: Bool = false)
        /// A memory file system.
        case tmpfs(target: String)
    }

    /// A network the container joins, with the names other containers there reach it by.
    public struct NetworkAttachment: Sendable, Equatable {
        public var network: String
        public var aliases: [String]

        public init(network: String, aliases: [String] = []) {
            self.network = network
            self.aliases = aliases
        }
    }

    /// What the engine does when the container stops.
    public enum RestartPolicy: Sendable, Equatable {
        case no
        case always
        case unlessStopped
        case onFailure(maximumRetries: Int)
    }

    /// How the engine decides the container is healthy: a command run inside it, with exit code 0 as healthy.
    public struct HealthCheck: Sendable, Equatable {
        /// The command, as an argv array (`["wget", "-q", "-O-", "http://127.0.0.1:8069/web/health"]`).
        public var command: [String]
        public var interval: Duration
        public var timeout: Duration
        public var retries: Int
        public var startPeriod: Duration

        public init(
            command: [String], interval: Duration = .seconds(10), timeout: Duration = .seconds(5), retries: Int = 3,
            startPeriod: Duration = .zero
        ) {
            self.command = command
            self.interval = interval
            self.timeout = timeout
            self.retries = retries
            self.startPeriod = startPeriod
        }
    }

    /// The container's name; the engine requires it unique on the server.
    public var name: String?
    public var image: String
    /// The command; nil runs the image's own.
    public var command: [String]?
    public var entrypoint: [String]?
    public var environment: [String: String]
    public var workingDirectory: String?
    public var user: String?
    public var ports: [PortBinding]
    public var mounts: [Mount]
    /// The networks to join; the first at creation, the others right after. None: the engine's default.
    public var networks: [NetworkAttachment]
    public var restartPolicy: RestartPolicy
    public var healthCheck: HealthCheck?
    /// Seconds the engine waits after SIGTERM before SIGKILL when it stops the container.
    public var stopTimeoutSeconds: Int?
    public var memoryLimitBytes: Int64?

    public init(
        name: String? = nil, image: String, command: [String]? = nil, entrypoint: [String]? = nil,
        environment: [String: String] = [:], workingDirectory: String? = nil, user: String? = nil,
        ports: [PortBinding] = [], mounts: [Mount] = [], networks: [NetworkAttachment] = [],
        restartPolicy: RestartPolicy = .no, healthCheck: HealthCheck? = nil, stopTimeoutSeconds: Int? = nil,
        memoryLimitBytes: Int64? = nil
    ) {
        self.name = name
        self.image = image
        self.command = command
        self.entrypoint = entrypoint
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.user = user
        self.ports = ports
        self.mounts = mounts
        self.networks = networks
        self.restartPolicy = restartPolicy
        self.healthCheck = healthCheck
        self.stopTimeoutSeconds = stopTimeoutSeconds
        self.memoryLimitBytes = memoryLimitBytes
    }
}
