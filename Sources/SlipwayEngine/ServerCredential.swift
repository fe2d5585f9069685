import SlipwayCore
import SlipwayStore

/// The decrypted secret a server is reached with: its private key (and the key's passphrase, when it
/// is encrypted) or its password. It lives only as long as a connection is being made.
public struct ServerCredential: Sendable, Equatable {
    /// The private key (PEM or OpenSSH) or the password.
    public var secret: String
    /// The private key's passphrase, for an encrypted key.
    public var passphrase: String?

    public init(secret: String, passphrase: String? = nil) {
        self.secret = secret
        self.passphrase = passphrase
    }

    /// The server's stored credential, opened with the secret key; nil when none is stored (`local`).
    static func load(for server: Server, store: any Store, secrets: SecretBox) async throws -> ServerCredential? {
        guard
            let secret = try await store.encryptedCredential(
                organizationId: server.organizationId, serverId: server.id
            ).map(secrets.open)
        else { return nil }
        let passphrase = try await store.encryptedPassphrase(
            organizationId: server.organizationId, serverId: server.id
        ).map(secrets.open)
        return ServerCredential(secret: secret, passphrase: passphrase)
    }
}
