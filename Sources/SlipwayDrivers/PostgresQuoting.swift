/// The one place that turns values into PostgreSQL SQL text, for statements that cannot take bind
/// parameters (`CREATE ROLE`, `CREATE DATABASE`, `ALTER ROLE ... PASSWORD`) and run through `psql`
/// in a server's database container. Identifiers are double-quoted, literals single-quoted, each
/// quote doubled; NUL, which PostgreSQL cannot hold in text, is refused.
public enum PostgresQuoting {
    public struct Refused: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// `"name"`, with every `"` doubled: always an identifier, whatever it holds.
    public static func identifier(_ name: String) throws -> String {
        try check(name, what: "an identifier")
        guard !name.isEmpty, name.utf8.count <= 63 else {
            throw Refused(description: "an identifier must be 1 to 63 bytes long")
        }
        return "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `'text'`, with every `'` doubled (backslashes stay as they are under
    /// `standard_conforming_strings`, on by default since PostgreSQL 9.1; the `E` prefix is never used).
    public static func literal(_ text: String) throws -> String {
        try check(text, what: "a literal")
        return "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }

    private static func check(_ value: String, what: String) throws {
        guard !value.unicodeScalars.contains("\0") else {
            throw Refused(description: "\(what) cannot contain NUL")
        }
    }
}
