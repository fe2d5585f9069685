/// An error a person can act on: a code, a message, and the field at fault when there is one.
/// The server target maps `kind` to an HTTP status; nothing else here knows about HTTP.
public struct SlipwayError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// Input that breaks a rule (422).
        case invalid
        /// Input that is not even well formed (400).
        case badRequest
        /// No such record in the caller's organization (404), also for records of other organizations.
        case notFound
        /// The request clashes with what is stored (409), like a taken slug.
        case conflict
        /// No valid credential (401).
        case unauthorized
        /// A valid credential without the permission (403).
        case forbidden
        /// Something on our side failed (500).
        case `internal`
        /// Something the request needs did not answer, like the instance's server (503).
        case unavailable
    }

    public var kind: Kind
    public var code: String
    public var message: String
    public var field: String?

    public init(_ kind: Kind, code: String, message: String, field: String? = nil) {
        self.kind = kind
        self.code = code
        self.message = message
        self.field = field
    }

    public var description: String {
        field.map { "\(code) (\($0)): \(message)" } ?? "\(code): \(message)"
    }

    public static func invalid(_ field: String, _ message: String) -> SlipwayError {
        SlipwayError(.invalid, code: "invalid_field", message: message, field: field)
    }

    public static func notFound(_ what: String) -> SlipwayError {
        SlipwayError(.notFound, code: "not_found", message: "\(what) not found")
    }

    public static func conflict(_ field: String?, _ message: String) -> SlipwayError {
        SlipwayError(.conflict, code: "conflict", message: message, field: field)
    }
}
