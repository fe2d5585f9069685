import Foundation
import SlipwayCore
import SlipwayStore

/// On an empty store: the owner, the default organization and the owner's personal token.
/// The token is written to `DATA_DIR/initial-token` (mode 0600) and returned to be printed once.
/// On a store that has users, nothing happens.
public enum FirstStart {
    public struct Result: Sendable {
        public var token: String
        public var tokenFile: String
        public var organization: Organization
        /// The server `local`: the control plane's own machine.
        public var localServer: Server
    }

    public static func runIfNeeded(store: any Store, dataDirectory: String, now: Date = Date()) async throws -> Result?
    {
        guard try await store.isEmpty() else { return nil }
        let owner = User(name: "Owner", email: "owner@localhost", createdAt: now)
        let organization = Organization(name: "Default", slug: "default", createdAt: now)
        let secret = TokenSecret.make(kind: .personal)
        let token = APIToken(
            kind: .personal, name: "initial token", prefix: TokenSecret.displayPrefix(secret), organizationId: nil,
            userId: owner.id,
            createdAt: now)
        // Write the file before the rows: a crash in between leaves a token file that does not work
        // (and a next start that makes a new one), never a working token nobody can read.
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let path = URL(fileURLWithPath: dataDirectory).appendingPathComponent("initial-token").path
        try? FileManager.default.removeItem(atPath: path)
        guard
            FileManager.default.createFile(
                atPath: path, contents: Data((secret + "\n").utf8), attributes: [.posixPermissions: 0o600])
        else {
            throw SlipwayError(.internal, code: "token_write_failed", message: "cannot write \(path)")
        }
        let local = localServer(organizationId: organization.id, now: now)
        guard
            try await store.bootstrap(
                owner: owner, organization: organization, token: token, secretHash: TokenSecret.hash(secret),
                localServer: local)
        else {
            try? FileManager.default.removeItem(atPath: path)
            return nil
        }
        return Result(token: secret, tokenFile: path, organization: organization, localServer: local)
    }

    /// The machine the control plane runs on, reached through local processes and the local Docker
    /// socket (no SSH, so no port): the server `local`, so the embedded default deploys with no other machine.
    static func localServer(organizationId: String, now: Date) -> Server {
        Server(
            organizationId: organizationId, name: "local", host: "localhost", port: 0,
            user: ProcessInfo.processInfo.environment["USER"] ?? "root", authMethod: .local, createdAt: now,
            updatedAt: now)
    }
}
