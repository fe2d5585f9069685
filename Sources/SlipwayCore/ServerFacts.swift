import Foundation

/// What verification learned about a server.
public struct ServerFacts: Codable, Sendable, Equatable {
    /// `PRETTY_NAME` of /etc/os-release, like "Debian GNU/Linux 12 (bookworm)".
    public var os: String
    public var kernel: String
    public var architecture: String
    public var cpus: Int
    public var memoryBytes: Int
    public var diskBytes: Int
    public var diskFreeBytes: Int
    public var dockerVersion: String?
    public var dockerRunning: Bool

    public init(
        os: String, kernel: String, architecture: String, cpus: Int, memoryBytes: Int, diskBytes: Int,
        diskFreeBytes: Int,
        dockerVersion: String?, dockerRunning: Bool
    ) {
        self.os = os
        self.kernel = kernel
        self.architecture = architecture
        self.cpus = cpus
        self.memoryBytes = memoryBytes
        self.diskBytes = diskBytes
        self.diskFreeBytes = diskFreeBytes
        self.dockerVersion = dockerVersion
        self.dockerRunning = dockerRunning
    }
}
