/// Why an SSH operation failed, in words a person can act on. Messages never contain a credential.
public enum SSHError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server presented a host key whose fingerprint is not the pinned one. Nothing was sent to it.
    case hostKeyMismatch(expected: String, found: String)
    /// The server refused the key or password (or the key could not be read with its passphrase).
    case authenticationFailed(String)
    /// The server could not be reached, or the connection broke before it was usable.
    case unreachable(String)
    /// A command did not finish within its deadline; its remote process was stopped.
    case timedOut(after: Duration)
    /// The shared connection died while a command ran; the command may or may not have completed.
    case connectionLost(String)
    /// The command cannot be sent (an argument holds NUL, the argv is empty or too long).
    case invalidCommand(String)
    /// A field of the target cannot be used (`field` names it).
    case invalidTarget(field: String, String)
    /// Something on this machine failed: no `ssh` program, no private directory, and the like.
    case localFailure(String)
    /// The connection was closed with `close()`.
    case closed
    /// A port or socket forward was refused.
    case forwardFailed(String)

    /// A stable code for APIs and logs.
    public var code: String {
        switch self {
        case .hostKeyMismatch: "ssh_host_key_mismatch"
        case .authenticationFailed: "ssh_authentication_failed"
        case .unreachable: "ssh_unreachable"
        case .timedOut: "ssh_timed_out"
        case .connectionLost: "ssh_connection_lost"
        case .invalidCommand: "ssh_invalid_command"
        case .invalidTarget: "ssh_invalid_target"
        case .localFailure: "ssh_local_failure"
        case .closed: "ssh_closed"
        case .forwardFailed: "ssh_forward_failed"
        }
    }

    /// The message, naming the server where the remedy needs it (`slipway server trust-host-key NAME`).
    public func message(server: String) -> String {
        switch self {
        case .hostKeyMismatch(let expected, let found):
            "The host key of \(server) has changed: expected \(expected), but the server presented \(found). "
                + "Nothing was sent to it. If the change is expected (the server was reinstalled or its keys "
                + "rotated), run `slipway server trust-host-key \(server)` to trust the new key; otherwise "
                + "someone may be intercepting the connection."
        case .authenticationFailed(let detail):
            "\(server) refused the credential: \(detail). Check the user name and the key or password stored "
                + "for this server."
        case .unreachable(let reason):
            "\(server) cannot be reached over SSH: \(reason)"
        case .timedOut(let after):
            "A command on \(server) did not finish within \(after); it was stopped."
        case .connectionLost(let reason):
            "The SSH connection to \(server) broke while a command ran (\(reason)); the command may not have "
                + "finished."
        case .invalidCommand(let reason):
            "The command cannot be sent to \(server): \(reason)"
        case .invalidTarget(let field, let reason):
            "The SSH settings of \(server) are not usable (\(field)): \(reason)"
        case .localFailure(let reason):
            "SSH to \(server) failed on this machine: \(reason)"
        case .closed:
            "The SSH connection to \(server) was closed."
        case .forwardFailed(let reason):
            "A socket forward to \(server) was refused: \(reason)"
        }
    }

    public var description: String { "\(code): \(message(server: "SERVER"))" }
}
