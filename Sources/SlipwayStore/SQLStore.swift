import Foundation
import Logging
import SlipwayCore

/// The one `Store` implementation, written in the SQL SQLite and PostgreSQL share, so both
/// engines run exactly the same queries. Its methods live in `SQLStore+<Records>.swift`.
public final class SQLStore: Store {
    let database: any SQLDatabase

    /// Wraps an open database and brings its schema up to date.
    public init(database: any SQLDatabase) async throws {
        self.database = database
        try await Migrations.run(on: database)
    }

    /// Opens the embedded SQLite file in `dataDirectory`, or PostgreSQL when `databaseURL` is given.
    public static func open(dataDirectory: String, databaseURL: String?, logger: Logger) async throws -> SQLStore {
        if let databaseURL, !databaseURL.isEmpty {
            guard databaseURL.hasPrefix("postgres://") || databaseURL.hasPrefix("postgresql://") else {
                throw SlipwayError.invalid(
                    "databaseUrl", "must start with postgres:// (like postgres://slipway:secret@db:5432/slipway)")
            }
            return try await SQLStore(database: PostgresDatabase.connect(url: databaseURL, logger: logger))
        }
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let path = URL(fileURLWithPath: dataDirectory).appendingPathComponent("slipway.sqlite").path
        return try await SQLStore(database: SQLiteDatabase(path: path))
    }

    public func close() async throws {
        try await database.close()
    }

    /// Runs a write, turning a unique violation into a 409 that names `field`.
    func write<T: Sendable>(
        conflict field: String? = nil, _ message: String = "already exists",
        _ body: @Sendable (any SQLConnection) async throws -> T
    ) async throws -> T {
        do {
            return try await database.write(body)
        } catch SQLError.uniqueViolation {
            throw SlipwayError.conflict(field, message)
        } catch SQLError.foreignKeyViolation(let detail) {
            throw SlipwayError(.conflict, code: "in_use", message: "the record is referenced by others: \(detail)")
        }
    }

    func read<T: Sendable>(_ body: @Sendable (any SQLConnection) async throws -> T) async throws -> T {
        try await database.read(body)
    }
}

extension Array where Element == Permission {
    var json: String {
        let strings = map(\.description).sorted()
        let data = (try? JSONEncoder().encode(strings)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

extension SQLStore {
    /// The database under the store, for tests that reopen it.
    public var databaseForTesting: any SQLDatabase { database }
}
