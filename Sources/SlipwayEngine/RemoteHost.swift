import Foundation
import SlipwayCore
import SlipwayDrivers

/// A machine the engine runs commands on: a server over SSH, or the control plane's own machine.
/// Commands are argv arrays; implementations never build shell text from them except through
/// `ShellQuoting`.
public protocol RemoteHost: Sendable {
    func run(_ argv: [String], deadline: Duration) async throws -> CommandResult
    /// Runs `argv` with `stdin` as its standard input: how a secret reaches a host as data, never as command
    /// text (which `ps` shows and a shell reads).
    func run(_ argv: [String], stdin: Data, deadline: Duration) async throws -> CommandResult
    /// The host key fingerprint the connection checked (nil for the local machine).
    var hostKeyFingerprint: String? { get async }
    /// A unix socket of the control plane's machine that reaches the unix socket at `path` on the host
    /// (through the SSH connection; the path itself on the local machine), like the Docker engine's.
    func socket(reaching path: String) async throws -> String
    /// How the control plane reaches TCP `port` on the host's loopback, where the registry and Caddy's
    /// admin API listen.
    func loopback(port: Int) async throws -> ServiceEndpoint
    func close() async
}

extension RemoteHost {
    /// The Docker engine of the host, through the Engine API on `socketPath` (the server's `dockerSocketPath`).
    func docker(socketPath: String) async throws -> DockerClient {
        DockerClient(endpoint: .unixSocket(try await socket(reaching: socketPath)))
    }
}

/// Opens a `RemoteHost` for a server record, checking its pinned host key.
public protocol ServerConnector: Sendable {
    /// `credential` is the decrypted private key (with its passphrase) or password; nil for the local machine.
    func connect(to server: Server, credential: ServerCredential?) async throws -> any RemoteHost
}

/// Why a connection failed, in the words the server status needs.
public enum ConnectionFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// Nothing answered, or the connection dropped: the server is `unreachable`.
    case unreachable(String)
    /// The server answered and refused us, or its host key changed: the server is in `error`.
    case refused(String)

    public var description: String {
        switch self {
        case .unreachable(let reason): reason
        case .refused(let reason): reason
        }
    }
}
