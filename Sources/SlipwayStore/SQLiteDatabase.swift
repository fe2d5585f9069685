import Foundation
import GRDB
import SlipwayCore

/// The embedded default: one SQLite file through GRDB, in WAL mode so reads never wait for writes.
///
/// GRDB runs statements in synchronous closures, but the store's transactions are async (the same
/// code drives PostgreSQL). So a write takes `writeLock`, opens `BEGIN IMMEDIATE` on the pool's
/// single writer connection, runs each statement as its own access on that connection, and commits.
/// `allowsUnsafeTransactions` lets the transaction stay open between those accesses; the lock makes
/// sure no other writer's statements land inside it.
public final class SQLiteDatabase: SQLDatabase {
    public let dialect = SQLDialect.sqlite
    private let pool: DatabasePool
    private let writeLock = AsyncMutex()

    /// Opens (creating when missing) the database file at `path`.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(5)
        configuration.maximumReaderCount = 4
        // In WAL mode, NORMAL syncs at checkpoints rather than at every commit: a killed control plane loses
        // nothing it committed (the WAL is in the file system), only a power cut can lose the last commits,
        // and the database is never corrupted. Every commit syncing (FULL) made each step record of a
        // deployment wait on the disk.
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw SlipwayError(
                .internal, code: "store_open_failed", message: "cannot open SQLite database at \(path): \(error)")
        }
    }

    public func read<T: Sendable>(_ body: @Sendable (any SQLConnection) async throws -> T) async throws -> T {
        try await body(Reader(pool: pool))
    }

    public func write<T: Sendable>(_ body: @Sendable (any SQLConnection) async throws -> T) async throws -> T {
        let pool = self.pool
        return try await writeLock.withLock {
            let writer = Writer(pool: pool)
            try await writer.execute("BEGIN IMMEDIATE", [])
            do {
                let result = try await body(writer)
                try await writer.execute("COMMIT", [])
                return result
            } catch {
                _ = try? await writer.execute("ROLLBACK", [])
                throw error
            }
        }
    }

    public func close() async throws {
        try pool.close()
    }

    private struct Reader: SQLConnection {
        let pool: DatabasePool

        func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
            // One statement is atomic on its own in SQLite: no need for the BEGIN/COMMIT that `read` wraps around it.
            try await translatingErrors { try await pool.unsafeRead { db in try Self.rows(db, sql, binds) } }
        }

        func execute(_ sql: String, _ binds: [SQLValue]) async throws -> Int {
            throw SQLError.database("a write statement ran in a read: \(sql.prefix(40))")
        }

        static func rows(_ db: GRDB.Database, _ sql: String, _ binds: [SQLValue]) throws -> [SQLRow] {
            let rows = try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments(binds))
            return rows.map { row in
                var values: [String: SQLValue] = [:]
                for (column, value) in row {
                    values[column] = sqlValue(value)
                }
                return SQLRow(values: values)
            }
        }
    }

    private struct Writer: SQLConnection {
        let pool: DatabasePool

        func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
            try await translatingErrors {
                try await pool.writeWithoutTransaction { db in try Reader.rows(db, sql, binds) }
            }
        }

        func execute(_ sql: String, _ binds: [SQLValue]) async throws -> Int {
            try await translatingErrors {
                try await pool.writeWithoutTransaction { db in
                    try db.cachedStatement(sql: sql).execute(arguments: arguments(binds))
                    return db.changesCount
                }
            }
        }
    }
}

private func arguments(_ binds: [SQLValue]) -> StatementArguments {
    StatementArguments(
        binds.map { value -> (any DatabaseValueConvertible)? in
            switch value {
            case .null: nil
            case .integer(let number): number
            case .real(let number): number
            case .text(let text): text
            }
        })
}

private func sqlValue(_ value: DatabaseValue) -> SQLValue {
    switch value.storage {
    case .null: .null
    case .int64(let number): .integer(number)
    case .double(let number): .real(number)
    case .string(let text): .text(text)
    case .blob(let data): .text(String(decoding: data, as: UTF8.self))
    }
}

private func translatingErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as DatabaseError {
        switch error.extendedResultCode {
        case .SQLITE_CONSTRAINT_UNIQUE, .SQLITE_CONSTRAINT_PRIMARYKEY:
            throw SQLError.uniqueViolation(detail: error.message ?? "")
        case .SQLITE_CONSTRAINT_FOREIGNKEY:
            throw SQLError.foreignKeyViolation(detail: error.message ?? "")
        default:
            throw SQLError.database(error.message ?? "\(error.resultCode)")
        }
    }
}
