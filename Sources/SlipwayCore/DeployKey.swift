import Foundation

/// A project's SSH key for its Git host: the public half is shown for the user to add as a read-only deploy
/// key; the private half stays sealed in the store and is written on a server only while a fetch runs.
public struct DeployKey: Codable, Sendable, Equatable {
    public var projectId: String
    /// The OpenSSH public key line: `ssh-ed25519 AAAA... slipway-<project>`.
    public var publicKey: String
    /// `SHA256:` and the unpadded base64 of the key's SHA-256, as `ssh-keygen -l` prints it.
    public var fingerprint: String
    public var createdAt: Date

    public init(projectId: String, publicKey: String, fingerprint: String, createdAt: Date = Date()) {
        self.projectId = projectId
        self.publicKey = publicKey
        self.fingerprint = fingerprint
        self.createdAt = createdAt
    }
}
