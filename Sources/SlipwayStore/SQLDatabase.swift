/// The two SQL engines the store runs on. Statements are written once, in the SQL both
/// understand, with `?` placeholders; the engine adapts placeholders and a few dialect words.
public enum SQLDialect: String, Sendable {
    case sqlite, postgres
}

/// A connection inside `read` or `write`: statements run in order on one connection.
public protocol SQLConnection: Sendable {
    /// Runs a statement and returns its rows.
    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow]
    /// Runs a statement and returns how many rows it changed.
    @discardableResult
    func execute(_ sql: String, _ binds: [SQLValue]) async throws -> Int
}

/// A SQL database the store can run on: SQLite through GRDB, or PostgreSQL through postgres-nio.
public protocol SQLDatabase: Sendable {
    var dialect: SQLDialect { get }
    /// Runs `body` for reading. Statements may see different committed states.
    func read<T: Sendable>(_ body: @Sendable (any SQLConnection) async throws -> T) async throws -> T
    /// Runs `body` in one transaction: all its statements commit together, or none do when it throws.
    func write<T: Sendable>(_ body: @Sendable (any SQLConnection) async throws -> T) async throws -> T
    /// Releases connections. The database is unusable afterwards.
    func close() async throws
}

extension SQLConnection {
    public func query(_ sql: String, _ binds: SQLValue...) async throws -> [SQLRow] {
        try await query(sql, binds)
    }

    @discardableResult
    public func execute(_ sql: String, _ binds: SQLValue...) async throws -> Int {
        try await execute(sql, binds)
    }

    public func first(_ sql: String, _ binds: [SQLValue]) async throws -> SQLRow? {
        try await query(sql, binds).first
    }
}

extension String {
    /// `?` placeholders as PostgreSQL's `$1`, `$2`... Statements in this target never hold a
    /// literal `?` inside quotes, so a plain scan is enough.
    func numberedPlaceholders() -> String {
        var result = ""
        result.reserveCapacity(count + 8)
        var index = 0
        for character in self {
            if character == "?" {
                index += 1
                result += "$\(index)"
            } else {
                result.append(character)
            }
        }
        return result
    }
}
