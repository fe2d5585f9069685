import Foundation
import Logging
import PostgresNIO
import SlipwayCore

/// The store's PostgreSQL engine: a pool of up to ten connections through postgres-nio.
///
/// Open it with ``connect(url:logger:timeout:)``, which checks that the server answers before
/// returning, and ``close()`` it when done.
public final class PostgresDatabase: SQLDatabase {
    public var dialect: SQLDialect { .postgres }

    private let client: PostgresClient
    private let logger: Logger
    /// Runs `client.run()`. postgres-nio leases connections only while `run()` is running, and
    /// `run()` returns only when its task is cancelled, so the database owns this one task from
    /// `connect` on, and `close()` cancels it and waits for the pool to shut its connections.
    /// (A `ServiceGroup` could run the client instead, but then every caller would have to
    /// know about postgres-nio and start it before the first query.)
    private let runTask: Task<Void, Never>

    private init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
        self.runTask = Task { await client.run() }
    }

    deinit {
        // A forgotten `close()` must not keep a pool alive for the rest of the process.
        runTask.cancel()
    }

    /// Connects to the database at `url` and checks that it answers.
    ///
    /// `url` looks like `postgres://user:password@host:5432/database` (`postgresql://` too), with
    /// user and password percent-encoded. Query parameters: `sslmode=disable` (the default) or
    /// `sslmode=require` (TLS, the certificate checked against the system's roots and the host
    /// name), and `host=/socket/dir` to connect through the unix socket `dir/.s.PGSQL.PORT`.
    /// - Throws: `SlipwayError.invalid("databaseUrl", ...)` for a malformed URL;
    ///   `SQLError.database` naming host, port and database when the server cannot be reached,
    ///   refuses the login, or does not answer within `timeout`.
    public static func connect(
        url: String,
        logger: Logger,
        timeout: Duration = .seconds(10)
    ) async throws -> PostgresDatabase {
        let endpoint = try Endpoint(url: url)
        var configuration = endpoint.clientConfiguration()
        configuration.options.maximumConnections = 10
        configuration.options.connectTimeout = timeout
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        // Started before the check, so that `run()` is under way by the first lease (a lease made
        // earlier would only wait, but postgres-nio logs a warning for it).
        let database = PostgresDatabase(client: client, logger: logger)
        do {
            try await verify(endpoint, logger: logger, timeout: timeout)
        } catch {
            try? await database.close()
            throw error
        }
        return database
    }

    public func read<T: Sendable>(_ body: @Sendable (any SQLConnection) async throws -> T) async throws -> T {
        try await withLeasedConnection { connection in
            try await body(connection)
        }
    }

    public func write<T: Sendable>(_ body: @Sendable (any SQLConnection) async throws -> T) async throws -> T {
        try await withLeasedConnection { connection in
            try await connection.execute("BEGIN", [])
            let value: T
            do {
                value = try await body(connection)
            } catch {
                do {
                    try await connection.execute("ROLLBACK", [])
                } catch {
                    // The connection's state is unknown: drop it rather than hand it to the next caller.
                    await connection.discard()
                }
                throw error
            }
            do {
                // After a failed statement PostgreSQL answers COMMIT with ROLLBACK instead of an error:
                // a body that caught a statement's error must not pass for a committed write.
                let tag = try await connection.run("COMMIT", []).metadata.command
                guard tag == "COMMIT" else {
                    throw SQLError.database("the transaction was rolled back because one of its statements failed")
                }
            } catch {
                await connection.discard()
                throw error
            }
            return value
        }
    }

    public func close() async throws {
        runTask.cancel()
        await runTask.value
    }

    /// Leases a pooled connection for `work`. Errors thrown by `work` pass through unchanged;
    /// those of the pool itself become `SQLError`s.
    private func withLeasedConnection<T: Sendable>(_ work: (PGConnection) async throws -> T) async throws -> T {
        guard !runTask.isCancelled else {
            throw SQLError.database("the PostgreSQL database was closed")
        }
        let logger = logger
        do {
            return try await client.withConnection { connection in
                do {
                    return try await work(PGConnection(connection: connection, logger: logger))
                } catch {
                    throw WorkError(underlying: error)
                }
            }
        } catch let error as WorkError {
            throw error.underlying
        } catch {
            throw PostgresDatabase.translate(error)
        }
    }

    /// Opens one connection outside the pool and runs `SELECT 1`. The pool would retry a failing
    /// server in silence; this connection reports why it failed (refused, bad password, no such database).
    private static func verify(_ endpoint: Endpoint, logger: Logger, timeout: Duration) async throws {
        let configuration = try endpoint.connectionConfiguration(timeout: timeout)
        let failure = { (reason: String) in
            SQLError.database(
                "could not connect to PostgreSQL at \(endpoint.location), \(endpoint.identity): \(reason)")
        }
        do {
            try await withDeadline(timeout) {
                let connection = try await PostgresConnection.connect(
                    configuration: configuration, id: 0, logger: logger)
                do {
                    // A query does not notice cancellation; closing the connection fails it.
                    try await withTaskCancellationHandler {
                        _ = try await connection.query("SELECT 1", logger: logger).get()
                    } onCancel: {
                        let _: EventLoopFuture<Void> = connection.close()
                    }
                } catch {
                    try? await connection.close()
                    throw error
                }
                try? await connection.close()
            }
        } catch is DeadlineExceeded {
            throw failure("no answer within \(timeout)")
        } catch {
            throw failure(reason(error))
        }
    }
}

// MARK: - Connection

/// One leased connection: binds `SQLValue`s, reads rows into `SQLRow`s, reports `SQLError`s.
private struct PGConnection: SQLConnection {
    let connection: PostgresConnection
    let logger: Logger

    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        let result = try await run(sql, binds)
        return try result.rows.map { row in
            var values: [String: SQLValue] = [:]
            for cell in row {
                values[cell.columnName] = try PostgresDatabase.value(of: cell)
            }
            return SQLRow(values: values)
        }
    }

    @discardableResult
    func execute(_ sql: String, _ binds: [SQLValue]) async throws -> Int {
        // The command tag: `INSERT 0 3`, `UPDATE 3`, `DELETE 3`; nil for commands that count nothing.
        try await run(sql, binds).metadata.rows ?? 0
    }

    func run(_ sql: String, _ binds: [SQLValue]) async throws -> PostgresQueryResult {
        var bindings = PostgresBindings(capacity: binds.count)
        for value in binds {
            switch value {
            case .null: bindings.appendNull()
            case .integer(let number): bindings.append(number)
            case .real(let number): bindings.append(number)
            case .text(let text): bindings.append(text)
            }
        }
        let query = PostgresQuery(unsafeSQL: sql.numberedPlaceholders(), binds: bindings)
        do {
            // The future-based call, unlike the async one, also returns the command tag.
            return try await connection.query(query, logger: logger).get()
        } catch {
            throw PostgresDatabase.translate(error)
        }
    }

    /// Closes the connection so the pool replaces it instead of lending it out again. Waits for the
    /// close: the pool hears of it through the close future, and must before the lease is returned,
    /// or it lends the closing connection to the next caller.
    func discard() async {
        try? await connection.close()
    }
}

// MARK: - Values and errors

extension PostgresDatabase {
    /// Built-in types whose binary form is text. Other built-in types (dates, bytea, arrays...)
    /// would read as garbage; user-defined ones (enums, citext) have OIDs from 16384 on and
    /// send text, so they are read as text too.
    private static let textTypes: Set<PostgresDataType> = [
        .text, .varchar, .bpchar, .name, .char, .uuid, .json, .jsonb, .xml, .unknown,
    ]

    static func value(of cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        do {
            switch cell.dataType {
            case .int2, .int4, .int8:
                return .integer(try cell.decode(Int64.self))
            case .float4, .float8:
                return .real(try cell.decode(Double.self))
            case .numeric:
                // `sum(bigint)` and decimal literals come back as numeric.
                let decimal = try cell.decode(Decimal.self)
                guard let number = Double(decimal.description) else {
                    throw SQLError.decoding("'\(cell.columnName)' holds numeric \(decimal), not a number")
                }
                return .real(number)
            case .bool:
                return .integer(try cell.decode(Bool.self) ? 1 : 0)
            case let type where textTypes.contains(type) || type.rawValue >= 16384:
                return .text(try cell.decode(String.self))
            default:
                throw SQLError.decoding(
                    "'\(cell.columnName)' has type \(cell.dataType), which the store does not read; cast it to text or bigint"
                )
            }
        } catch let error as SQLError {
            throw error
        } catch {
            throw SQLError.decoding("'\(cell.columnName)' of type \(cell.dataType) could not be read")
        }
    }

    /// postgres-nio's errors as `SQLError`s. Only the server's message and the error's kind are
    /// kept: never the statement's binds, which may hold secrets (so not the server's DETAIL,
    /// which repeats the offending values, either).
    static func translate(_ error: any Error) -> any Error {
        switch error {
        case is SQLError, is CancellationError:
            return error
        case let error as PSQLError where error.code == .server:
            let info = error.serverInfo
            let message = info?[.message] ?? "the server reported an error"
            let constraint = info?[.constraintName] ?? info?[.tableName] ?? message
            switch info?[.sqlState] {
            case "23505": return SQLError.uniqueViolation(detail: constraint)
            case "23503": return SQLError.foreignKeyViolation(detail: constraint)
            case let state?: return SQLError.database("\(message) (SQLSTATE \(state))")
            case nil: return SQLError.database(message)
            }
        default:
            return SQLError.database(reason(error))
        }
    }

    /// A short, secret-free account of a connection or protocol failure.
    static func reason(_ error: any Error) -> String {
        guard let error = error as? PSQLError else {
            // `ConnectionPoolError` and NIO's errors describe themselves without secrets.
            return String(describing: error)
        }
        if error.code == .server, let message = error.serverInfo?[.message] {
            return message
        }
        // `PSQLError.description` is a fixed placeholder; the code and the underlying error say more.
        var text = "\(error.code)"
        if let underlying = error.underlying {
            text += ": " + reason(underlying)
        }
        return text
    }
}

// MARK: - Deadline

private struct DeadlineExceeded: Error {}

/// Carries an error of the caller's work through the pool's lease untouched.
private struct WorkError: Error {
    var underlying: any Error
}

/// Runs `body`, cancelling it when `duration` passes first. `body` must honour cancellation.
private func withDeadline<T: Sendable>(
    _ duration: Duration,
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: duration)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw DeadlineExceeded()
        }
        return value
    }
}
