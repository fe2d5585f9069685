import Foundation
import Logging
import SlipwayCore
import SlipwayDrivers

/// Reaches servers over SSH: one `SSHConnection` per server, reused by every job that needs it and
/// replaced when the server's address, credential or pinned host key changes.
public actor SSHServerConnector: ServerConnector {
    private var connections: [String: SSHConnection] = [:]
    private let runtimeRoot: String
    private let logger: Logger

    public init(runtimeRoot: String = NSTemporaryDirectory(), logger: Logger = Logger(label: "slipway.ssh")) {
        self.runtimeRoot = runtimeRoot
        self.logger = logger
    }

    public func connect(to server: Server, credential: ServerCredential?) async throws -> any RemoteHost {
        let target = try Self.target(for: server, credential: credential)
        let connection: SSHConnection
        if let existing = connections[server.id], existing.target == target {
            connection = existing
        } else {
            if let stale = connections.removeValue(forKey: server.id) { await stale.close() }
            do {
                connection = try SSHConnection(target: target, runtimeRoot: runtimeRoot, logger: logger)
            } catch {
                throw Self.failure(error, server: server)
            }
            connections[server.id] = connection
        }
        do {
            try await connection.connect()
        } catch {
            throw Self.failure(error, server: server)
        }
        return SSHHost(connection: connection, server: server)
    }

    /// Closes every connection: at shutdown.
    public func closeAll() async {
        for connection in connections.values { await connection.close() }
        connections.removeAll()
    }

    static func target(for server: Server, credential: ServerCredential?) throws -> SSHTarget {
        guard let credential else { throw ConnectionFailure.refused("no credential is stored for \(server.name)") }
        let secret: SSHTarget.Credential =
            server.authMethod == .password
            ? .password(credential.secret)
            : .privateKey(pem: credential.secret, passphrase: credential.passphrase)
        return SSHTarget(
            host: server.host, port: server.port, user: server.user, credential: secret,
            pinnedHostKeyFingerprint: server.hostKeyFingerprint)
    }

    static func failure(_ error: any Error, server: Server) -> ConnectionFailure {
        guard let error = error as? SSHError else { return .refused("\(error)") }
        switch error {
        case .unreachable, .connectionLost, .timedOut: return .unreachable(error.message(server: server.name))
        default: return .refused(error.message(server: server.name))
        }
    }
}

/// A server reached through its shared SSH connection.
struct SSHHost: RemoteHost {
    let connection: SSHConnection
    let server: Server

    func run(_ argv: [String], deadline: Duration) async throws -> CommandResult {
        do {
            return try await connection.run(argv, deadline: deadline)
        } catch {
            throw SSHServerConnector.failure(error, server: server)
        }
    }

    func run(_ argv: [String], stdin: Data, deadline: Duration) async throws -> CommandResult {
        do {
            return try await connection.run(argv, stdin: stdin, deadline: deadline)
        } catch {
            throw SSHServerConnector.failure(error, server: server)
        }
    }

    var hostKeyFingerprint: String? {
        get async { await connection.hostKeyFingerprint }
    }

    func socket(reaching path: String) async throws -> String {
        do {
            return try await connection.forwardUnixSocket(remotePath: path)
        } catch {
            throw SSHServerConnector.failure(error, server: server)
        }
    }

    func loopback(port: Int) async throws -> ServiceEndpoint {
        do {
            return .unixSocket(try await connection.forwardLoopbackPort(port))
        } catch {
            throw SSHServerConnector.failure(error, server: server)
        }
    }

    /// The connection stays open for the next job; the connector closes it when it is replaced or at shutdown.
    func close() async {}
}
