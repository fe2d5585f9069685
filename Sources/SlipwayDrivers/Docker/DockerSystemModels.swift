/// The engine's `GET /version` answer.
public struct DockerVersion: Codable, Sendable, Equatable {
    /// The engine's release, like `20.10.24+dfsg1`.
    public var version: String
    /// The newest API version the engine speaks, like `1.41`.
    public var apiVersion: String
    /// The oldest API version the engine speaks.
    public var minimumAPIVersion: String?
    public var operatingSystem: String
    public var architecture: String
    public var kernelVersion: String?
    public var gitCommit: String?
    public var goVersion: String?

    enum CodingKeys: String, CodingKey {
        case version = "Version"
        case apiVersion = "ApiVersion"
        case minimumAPIVersion = "MinAPIVersion"
        case operatingSystem = "Os"
        case architecture = "Arch"
        case kernelVersion = "KernelVersion"
        case gitCommit = "GitCommit"
        case goVersion = "GoVersion"
    }
}

/// The parts of the engine's `GET /info` answer Slipway shows as a server's facts.
public struct DockerSystemInfo: Codable, Sendable, Equatable {
    public var id: String
    /// The host name of the engine's machine.
    public var name: String
    public var serverVersion: String
    /// Like `Debian GNU/Linux 12 (bookworm)`.
    public var operatingSystem: String
    /// `linux` or `windows`.
    public var osType: String
    public var architecture: String
    public var kernelVersion: String
    public var cpuCount: Int
    public var memoryBytes: Int64
    /// The storage driver, like `overlay2`.
    public var storageDriver: String
    public var rootDirectory: String
    public var containers: Int
    public var containersRunning: Int
    public var images: Int

    enum CodingKeys: String, CodingKey {
        case id = "ID"
        case name = "Name"
        case serverVersion = "ServerVersion"
        case operatingSystem = "OperatingSystem"
        case osType = "OSType"
        case architecture = "Architecture"
        case kernelVersion = "KernelVersion"
        case cpuCount = "NCPU"
        case memoryBytes = "MemTotal"
        case storageDriver = "Driver"
        case rootDirectory = "DockerRootDir"
        case containers = "Containers"
        case containersRunning = "ContainersRunning"
        case images = "Images"
    }
}
