import SlipwayCore
import SlipwayDrivers

/// A machine the engine runs commands on: a server over SSH, or the control plane's own machine.
/// Commands are argv arrays; implementations never build shell text from them except through
/// `ShellQuoting`.
public protocol RemoteHost: Sendable {
    func run(_ argv: [String], deadline: Duration) async throws -> CommandResult
    /// The host key fingerprint the connection checked (nil for the local machine).
    var hostKeyFingerprint: String? { get async }
    func close() async
}

/// Opens a `RemoteHost` for a server record, checking its pinned host key.
public protocol ServerConnector: Sendable {
    /// `credential` is the decrypted private key or password; nil for the local machine.
    func connect(to server: Server, credential: String?) async throws -> any RemoteHost
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
