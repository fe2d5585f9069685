import SlipwayCore

/// What the database layer reports; the store turns these into `SlipwayError`s.
public enum SQLError: Error, Sendable, CustomStringConvertible {
    /// A UNIQUE constraint was violated; `detail` names the index or columns when the database says.
    case uniqueViolation(detail: String)
    /// A FOREIGN KEY constraint was violated.
    case foreignKeyViolation(detail: String)
    /// A row could not be read into a value.
    case decoding(String)
    /// Anything else the database said.
    case database(String)

    public var description: String {
        switch self {
        case .uniqueViolation(let detail): "unique constraint violated: \(detail)"
        case .foreignKeyViolation(let detail): "foreign key constraint violated: \(detail)"
        case .decoding(let message): "could not read a row: \(message)"
        case .database(let message): "database error: \(message)"
        }
    }
}
