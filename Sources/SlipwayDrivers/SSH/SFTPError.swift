/// Why an SFTP operation failed: what went wrong (`kind`, with a stable `code`), the operation and the
/// remote path at fault, and the server's own words when it gave any.
public struct SFTPError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// SSH_FX_NO_SUCH_FILE: the path, or a directory on the way to it, does not exist.
        case noSuchFile = "sftp_no_such_file"
        /// SSH_FX_PERMISSION_DENIED: the login user may not do this there.
        case permissionDenied = "sftp_permission_denied"
        /// SSH_FX_FAILURE: the server's catch-all (the path exists already, a directory is not empty, the
        /// disk is full, ...); its message, when it sent one, is in `serverMessage`.
        case failure = "sftp_failure"
        /// SSH_FX_OP_UNSUPPORTED: the server does not implement this operation.
        case unsupported = "sftp_unsupported"
        /// SSH_FX_BAD_MESSAGE, or a reply that does not follow the protocol: a bug on one side.
        case protocolViolation = "sftp_protocol_violation"
        /// A path on the way to a directory to create exists and is not a directory.
        case notADirectory = "sftp_not_a_directory"
        /// The path cannot be sent: empty, or holding a NUL byte (the server would cut it there).
        case invalidPath = "sftp_invalid_path"
        /// The server did not answer within the request deadline.
        case timedOut = "sftp_timed_out"
        /// The SSH channel or the server's sftp program ended (SSH_FX_NO_CONNECTION and
        /// SSH_FX_CONNECTION_LOST too); the operation may or may not have taken effect.
        case connectionLost = "sftp_connection_lost"
        /// The server refused the `sftp` subsystem (sshd has no `Subsystem sftp` line).
        case subsystemUnavailable = "sftp_subsystem_unavailable"
        /// The session was closed with `close()`.
        case closed = "sftp_closed"
    }

    /// What was being done, in the words of the message.
    public enum Operation: String, Sendable, Equatable {
        case start = "start an SFTP session"
        case write = "write"
        case read = "read"
        case size = "get the size of"
        case list = "list"
        case makeDirectories = "create the directory"
        case remove = "remove"
        case removeDirectory = "remove the directory"
        case rename = "rename"
    }

    public var kind: Kind
    public var operation: Operation
    /// The remote path at fault (for a rename, the source).
    public var path: String
    /// The rename's destination.
    public var destination: String?
    /// The server's message (SSH_FXP_STATUS), or what we know of the failure; may be empty.
    public var detail: String

    public init(_ kind: Kind, _ operation: Operation, path: String, destination: String? = nil, detail: String = "") {
        self.kind = kind
        self.operation = operation
        self.path = path
        self.destination = destination
        self.detail = detail
    }

    /// The error for an SSH_FXP_STATUS code other than OK.
    init(status code: UInt32, _ operation: Operation, path: String, destination: String? = nil, detail: String) {
        let kind: Kind =
            switch code {
            case SFTPStatus.noSuchFile: .noSuchFile
            case SFTPStatus.permissionDenied: .permissionDenied
            case SFTPStatus.badMessage: .protocolViolation
            case SFTPStatus.noConnection, SFTPStatus.connectionLost: .connectionLost
            case SFTPStatus.unsupported: .unsupported
            default: .failure
            }
        self.init(kind, operation, path: path, destination: destination, detail: detail)
    }

    /// A stable code for APIs and logs.
    public var code: String { kind.rawValue }

    /// A sentence a person can act on.
    public var message: String {
        let subject = destination.map { "'\(path)' to '\($0)'" } ?? "'\(path)'"
        let action =
            operation == .start ? "Cannot \(operation.rawValue)" : "Cannot \(operation.rawValue) \(subject) over SFTP"
        let reason =
            switch kind {
            case .noSuchFile: "it, or a directory on the way to it, does not exist"
            case .permissionDenied: "permission denied for the SSH user"
            case .failure: "the server reported a failure"
            case .unsupported: "the server does not support this operation"
            case .protocolViolation: "the server's reply did not follow the SFTP protocol"
            case .notADirectory: "a path on the way exists and is not a directory"
            case .invalidPath: "the path is empty or contains a NUL byte"
            case .timedOut: "the server did not answer in time"
            case .connectionLost: "the SSH connection or the server's sftp program ended"
            case .subsystemUnavailable: "the server has no sftp subsystem (sshd_config: Subsystem sftp internal-sftp)"
            case .closed: "the SFTP session was closed"
            }
        return detail.isEmpty ? "\(action): \(reason)." : "\(action): \(reason) (\(detail))."
    }

    public var description: String { "\(code): \(message)" }
}
