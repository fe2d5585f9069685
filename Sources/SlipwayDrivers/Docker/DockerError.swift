/// A failure talking to a Docker engine: what kind, the engine's own message, the HTTP status it
/// answered with (when it answered), and the operation that failed (`POST /containers/create`).
public struct DockerError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// The engine refused the request as malformed (400).
        case badRequest = "docker_bad_request"
        /// No such container, image, volume, network or exec (404).
        case notFound = "docker_not_found"
        /// The request clashes with the engine's state, like a taken name, a volume in use (409) or a
        /// network with containers on it (the engine says 403).
        case conflict = "docker_conflict"
        /// The engine failed on its side (500 and other statuses).
        case engineError = "docker_engine_error"
        /// The engine could not be reached: no socket, refused connection, dropped stream.
        case unreachable = "docker_unreachable"
        /// The engine answered with something this client does not understand.
        case unexpectedResponse = "docker_unexpected_response"
        /// An operation did not finish before its deadline.
        case timedOut = "docker_timed_out"
        /// A build reported an error in its progress stream (the failing step's message).
        case buildFailed = "docker_build_failed"
        /// A push reported an error in its progress stream.
        case pushFailed = "docker_push_failed"
        /// A pull failed: the registry refused or could not be reached.
        case pullFailed = "docker_pull_failed"
        /// Slipway refused to act: the object is not labelled `io.slipway.managed=true`.
        case notManaged = "docker_not_managed"
        /// A value given to the client breaks a rule before anything reached the engine.
        case invalidRequest = "docker_invalid_request"
    }

    public var kind: Kind
    /// The engine's message, or ours when the engine said nothing.
    public var message: String
    /// The HTTP status the engine answered with; nil when there was no answer.
    public var status: Int?
    /// What was being done, like `POST /containers/create` or `build`.
    public var operation: String

    public init(_ kind: Kind, message: String, status: Int? = nil, operation: String) {
        self.kind = kind
        self.message = message
        self.status = status
        self.operation = operation
    }

    /// A stable code for logs and API errors, like `docker_not_found`.
    public var code: String { kind.rawValue }

    public var description: String {
        let status = status.map { " (HTTP \($0))" } ?? ""
        return "\(code): \(operation)\(status): \(message)"
    }

    /// The kind of error an HTTP status stands for.
    static func kind(forStatus status: Int) -> Kind {
        switch status {
        case 400: .badRequest
        case 404: .notFound
        case 403, 409: .conflict
        default: .engineError
        }
    }
}
