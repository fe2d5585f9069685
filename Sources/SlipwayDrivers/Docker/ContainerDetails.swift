/// The engine's `GET /containers/{id}/json` answer, in part.
public struct ContainerDetails: Codable, Sendable, Equatable {
    public struct State: Codable, Sendable, Equatable {
        /// `created`, `running`, `paused`, `restarting`, `removing`, `exited` or `dead`.
        public var status: String
        public var running: Bool
        public var exitCode: Int
        public var error: String?
        public var startedAt: String?
        public var finishedAt: String?
        public var health: Health?
        /// The container's main process as the server's kernel numbers it (0 when it is not running).
        public var pid: Int?

        /// Running and not between two restarts (the engine reports `Running` true while it waits to
        /// restart a container that exited).
        public var isUp: Bool { running && status == "running" }

        enum CodingKeys: String, CodingKey {
            case status = "Status"
            case running = "Running"
            case exitCode = "ExitCode"
            case error = "Error"
            case startedAt = "StartedAt"
            case finishedAt = "FinishedAt"
            case health = "Health"
            case pid = "Pid"
        }
    }

    public struct Health: Codable, Sendable, Equatable {
        /// `starting`, `healthy` or `unhealthy`.
        public var status: String
        public var failingStreak: Int?

        enum CodingKeys: String, CodingKey {
            case status = "Status"
            case failingStreak = "FailingStreak"
        }
    }

    public struct Config: Codable, Sendable, Equatable {
        public var image: String
        /// `KEY=value` entries, the image's own included.
        public var environment: [String]?
        public var labels: [String: String]?
        public var command: [String]?
        public var tty: Bool?
        public var healthCheck: HealthCheckSettings?
        private var exposedPortSet: [String: ContainerCreateBody.Empty]?

        /// Container ports like `80/tcp`, sorted.
        public var exposedPorts: [String] { (exposedPortSet ?? [:]).keys.sorted() }

        enum CodingKeys: String, CodingKey {
            case image = "Image"
            case environment = "Env"
            case labels = "Labels"
            case command = "Cmd"
            case tty = "Tty"
            case healthCheck = "Healthcheck"
            case exposedPortSet = "ExposedPorts"
        }
    }

    public struct HostConfig: Codable, Sendable, Equatable {
        public struct RestartPolicy: Codable, Sendable, Equatable {
            /// `no`, `always`, `unless-stopped` or `on-failure`.
            public var name: String
            public var maximumRetryCount: Int?

            enum CodingKeys: String, CodingKey {
                case name = "Name"
                case maximumRetryCount = "MaximumRetryCount"
            }
        }

        public var restartPolicy: RestartPolicy?
        public var networkMode: String?
        /// What was asked for, keyed by container port (`80/tcp`); see ``NetworkSettings/ports`` for what was given.
        public var portBindings: [String: [PublishedPort]]?

        enum CodingKeys: String, CodingKey {
            case restartPolicy = "RestartPolicy"
            case networkMode = "NetworkMode"
            case portBindings = "PortBindings"
        }
    }

    /// Storage mounted in the container.
    public struct MountPoint: Codable, Sendable, Equatable {
        /// `volume`, `bind` or `tmpfs`.
        public var type: String
        /// The volume's name, for volumes.
        public var name: String?
        public var source: String?
        public var destination: String
        public var readWrite: Bool?

        enum CodingKeys: String, CodingKey {
            case type = "Type"
            case name = "Name"
            case source = "Source"
            case destination = "Destination"
            case readWrite = "RW"
        }
    }

    public struct NetworkSettings: Codable, Sendable, Equatable {
        public struct Endpoint: Codable, Sendable, Equatable {
            public var networkId: String?
            public var ipAddress: String?
            public var aliases: [String]?

            enum CodingKeys: String, CodingKey {
                case networkId = "NetworkID"
                case ipAddress = "IPAddress"
                case aliases = "Aliases"
            }
        }

        /// The published ports while the container runs, keyed by container port; nil for unpublished.
        public var ports: [String: [PublishedPort]?]?
        /// The networks joined, by name.
        public var networks: [String: Endpoint]?

        enum CodingKeys: String, CodingKey {
            case ports = "Ports"
            case networks = "Networks"
        }
    }

    public var id: String
    /// The name with the engine's leading `/`.
    public var name: String
    public var created: String?
    /// The image's id (`sha256:...`); ``Config/image`` is the name it was created from.
    public var imageId: String
    public var restartCount: Int?
    public var state: State
    public var config: Config
    public var hostConfig: HostConfig
    public var mounts: [MountPoint]?
    public var networkSettings: NetworkSettings?

    enum CodingKeys: String, CodingKey {
        case id = "Id"
        case name = "Name"
        case created = "Created"
        case imageId = "Image"
        case restartCount = "RestartCount"
        case state = "State"
        case config = "Config"
        case hostConfig = "HostConfig"
        case mounts = "Mounts"
        case networkSettings = "NetworkSettings"
    }
}

/// One line of the engine's `GET /containers/json` answer.
public struct ContainerSummary: Codable, Sendable, Equatable {
    public var id: String
    /// Names with the engine's leading `/`.
    public var names: [String]
    public var image: String
    public var labels: [String: String]?
    /// `created`, `running`, `exited`, ...
    public var state: String
    /// A person's summary, like `Up 2 minutes`.
    public var status: String

    enum CodingKeys: String, CodingKey {
        case id = "Id"
        case names = "Names"
        case image = "Image"
        case labels = "Labels"
        case state = "State"
        case status = "Status"
    }
}
