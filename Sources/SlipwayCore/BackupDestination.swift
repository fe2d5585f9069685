import Foundation

/// Where backups are copied: a directory on the control plane's machine, or a directory on an SFTP
/// host reached through the SSH transport. Its private key (SFTP) is sealed in the store and never
/// answered; `hasPrivateKey` says whether one is set.
public struct BackupDestination: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case local, sftp
    }

    public var id: String
    public var organizationId: String
    public var name: String
    public var kind: Kind
    /// An absolute directory: on the control plane (`local`) or on the SFTP host.
    public var path: String
    /// SFTP only.
    public var host: String?
    public var port: Int?
    public var username: String?
    /// The SFTP host's key, pinned at the first connection (SHA256 fingerprint); later connections must match.
    public var hostKeyFingerprint: String?
    public var hasPrivateKey: Bool
    public var createdAt: Date

    public init(
        id: String = Identifier.make("dst"), organizationId: String, name: String, kind: Kind, path: String,
        host: String? = nil, port: Int? = nil, username: String? = nil, hostKeyFingerprint: String? = nil,
        hasPrivateKey: Bool = false, createdAt: Date = Date()
    ) {
        self.id = id
        self.organizationId = organizationId
        self.name = name
        self.kind = kind
        self.path = path
        self.host = host
        self.port = port
        self.username = username
        self.hostKeyFingerprint = hostKeyFingerprint
        self.hasPrivateKey = hasPrivateKey
        self.createdAt = createdAt
    }

    /// Whether `path` is `root` or below it, once both are standardized (`..` and `.` resolved): where a
    /// control plane given a backup root lets local destinations write.
    public static func path(_ path: String, isInside root: String) -> Bool {
        let path = URL(fileURLWithPath: path).standardized.path
        let root = URL(fileURLWithPath: root).standardized.path
        return path == root || path.hasPrefix(root == "/" ? "/" : root + "/")
    }
}
