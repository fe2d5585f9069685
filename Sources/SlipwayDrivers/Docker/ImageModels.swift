/// The engine's `GET /images/{name}/json` answer, in part.
public struct ImageDetails: Codable, Sendable, Equatable {
    /// What the image runs, as its configuration says.
    public struct Config: Codable, Sendable, Equatable {
        public var labels: [String: String]?
        public var command: [String]?
        public var entrypoint: [String]?
        public var environment: [String]?
        public var workingDirectory: String?

        enum CodingKeys: String, CodingKey {
            case labels = "Labels"
            case command = "Cmd"
            case entrypoint = "Entrypoint"
            case environment = "Env"
            case workingDirectory = "WorkingDir"
        }
    }

    /// `sha256:...`
    public var id: String
    public var repoTags: [String]?
    public var repoDigests: [String]?
    public var created: String?
    public var size: Int64?
    public var architecture: String?
    public var operatingSystem: String?
    public var config: Config?

    enum CodingKeys: String, CodingKey {
        case id = "Id"
        case repoTags = "RepoTags"
        case repoDigests = "RepoDigests"
        case created = "Created"
        case size = "Size"
        case architecture = "Architecture"
        case operatingSystem = "Os"
        case config = "Config"
    }
}

/// One line of the engine's `GET /images/json` answer.
public struct ImageSummary: Codable, Sendable, Equatable {
    public var id: String
    public var repoTags: [String]?
    public var labels: [String: String]?
    public var size: Int64?

    enum CodingKeys: String, CodingKey {
        case id = "Id"
        case repoTags = "RepoTags"
        case labels = "Labels"
        case size = "Size"
    }
}

/// What removing or pruning images did: tags taken off and images deleted.
public struct ImageDeletion: Codable, Sendable, Equatable {
    public var untagged: String?
    public var deleted: String?

    enum CodingKeys: String, CodingKey {
        case untagged = "Untagged"
        case deleted = "Deleted"
    }
}

/// Credentials for a registry, sent base64-encoded in `X-Registry-Auth`.
public struct RegistryCredentials: Codable, Sendable, Equatable {
    public var username: String
    public var password: String
    /// The registry's address, like `registry.example.com:5000`.
    public var serverAddress: String

    public init(username: String, password: String, serverAddress: String) {
        self.username = username
        self.password = password
        self.serverAddress = serverAddress
    }

    enum CodingKeys: String, CodingKey {
        case username
        case password
        case serverAddress = "serveraddress"
    }
}
