import Foundation
import Logging
import SlipwayCore
import SlipwayTesting
import Testing

@testable import SlipwayStore

/// PostgresDatabase against a real PostgreSQL: each test gets its own database and its own tables.
@Suite("PostgresDatabase", .tags(.postgres))
struct PostgresDatabaseTests {
    private static let logger = Logger(label: "slipway.test.postgres")

    /// Connects to a fresh database, runs `body`, then closes and drops it whatever happens.
    private func withDatabase(
        _ label: String,
        _ body: (PostgresDatabase, String) async throws -> Void
    ) async throws {
        let url = try await PostgresTestServer.makeDatabase(label: label)
        do {
            let database = try await PostgresDatabase.connect(url: url, logger: Self.logger)
            do {
                try await body(database, url)
            } catch {
                try? await database.close()
                throw error
            }
            try await database.close()
        } catch {
            try? await PostgresTestServer.dropDatabase(url: url)
            throw error
        }
        try await PostgresTestServer.dropDatabase(url: url)
    }

    private struct BodyFailed: Error, Equatable {}

    // MARK: - Values

    @Test("every SQLValue kind goes in and comes back unchanged, hostile text included")
    func roundTrip() async throws {
        try await withDatabase("pg_roundtrip") { database, _ in
            _ = try await database.write { connection in
                try await connection.execute(
                    "CREATE TABLE roundtrip_values (id BIGINT PRIMARY KEY, i BIGINT, r DOUBLE PRECISION, t TEXT)")
            }
            let rows: [[SQLValue]] = [
                [1, .integer(Int64.max), .real(-0.5), "plain"],
                [2, .integer(Int64.min), .real(1e300), "Grüße, 世界 🚢 — ñ"],
                [3, 0, .real(0), "'); DROP TABLE roundtrip_values; --"],
                [4, .null, .null, .null],
                [5, -1, .real(3.25), "a ? b $1 \\ \" ''"],
            ]
            let inserted = try await database.write { connection in
                var counts: [Int] = []
                for row in rows {
                    counts.append(
                        try await connection.execute(
                            "INSERT INTO roundtrip_values (id, i, r, t) VALUES (?, ?, ?, ?)", row))
                }
                return counts
            }
            #expect(inserted == Array(repeating: 1, count: rows.count))
            let read = try await database.read { connection in
                try await connection.query("SELECT id, i, r, t FROM roundtrip_values ORDER BY id", [])
            }
            #expect(read.count == rows.count)
            for (row, expected) in zip(read, rows) {
                #expect(row.values == ["id": expected[0], "i": expected[1], "r": expected[2], "t": expected[3]])
            }
            // The hostile text was a value, not SQL: the table is still there, and a bind finds it.
            let found = try await database.read { connection in
                try await connection.first(
                    "SELECT id FROM roundtrip_values WHERE t = ?", ["'); DROP TABLE roundtrip_values; --"])
            }
            #expect(try found?.int("id") == 3)
            // Binds come back as what they went in as, nulls included.
            let echoed = try await database.read { connection in
                try await connection.first(
                    "SELECT ?::bigint AS i, ?::float8 AS r, ?::text AS t, ?::text AS n",
                    [
                        42, .real(2.5), "ünïcode", .null,
                    ])
            }
            #expect(echoed?.values == ["i": 42, "r": .real(2.5), "t": "ünïcode", "n": .null])
        }
    }

    @Test("other column types read as the store expects")
    func columnTypes() async throws {
        try await withDatabase("pg_types") { database, _ in
            let row = try await database.read { connection in
                try await connection.first(
                    """
                    SELECT 7::int2 AS small, 8::int4 AS medium, true AS yes, false AS no, 1.25::numeric AS decimal,
                           sum(x) AS total, 'v'::varchar(5) AS short, 'c'::char(3) AS padded,
                           '00000000-0000-0000-0000-00000000000a'::uuid AS id, '{"a": 1}'::jsonb AS document,
                           1.5::float4 AS single
                    FROM (VALUES (1::bigint), (2::bigint)) AS numbers(x)
                    """, [])
            }
            #expect(row?.values["small"] == 7)
            #expect(row?.values["medium"] == 8)
            #expect(row?.values["yes"] == 1)
            #expect(row?.values["no"] == 0)
            #expect(row?.values["decimal"] == .real(1.25))
            #expect(try row?.int("total") == 3)
            #expect(row?.values["short"] == "v")
            #expect(row?.values["padded"] == "c  ")
            #expect(row?.values["id"] == "00000000-0000-0000-0000-00000000000A")
            #expect(row?.values["document"] == #"{"a": 1}"#)
            #expect(row?.values["single"] == .real(1.5))

            // A type whose binary form is not text is refused with advice, not read as garbage.
            await #expect(throws: SQLError.self) {
                try await database.read { connection in
                    try await connection.query("SELECT now() AS at", [])
                }
            }
        }
    }

    // MARK: - Transactions

    @Test("write commits when the body returns")
    func writeCommits() async throws {
        try await withDatabase("pg_commit") { database, _ in
            let value = try await database.write { connection in
                try await connection.execute("CREATE TABLE commit_rows (id BIGINT PRIMARY KEY)")
                try await connection.execute("INSERT INTO commit_rows (id) VALUES (?)", 1)
                return "done"
            }
            #expect(value == "done")
            let count = try await database.read { try await $0.first("SELECT count(*) AS n FROM commit_rows", []) }
            #expect(try count?.int("n") == 1)
        }
    }

    @Test("write rolls back everything when the body throws, and rethrows the body's error")
    func writeRollsBack() async throws {
        try await withDatabase("pg_rollback") { database, _ in
            _ = try await database.write { try await $0.execute("CREATE TABLE rollback_rows (id BIGINT PRIMARY KEY)") }
            await #expect(throws: BodyFailed()) {
                try await database.write { connection in
                    try await connection.execute("INSERT INTO rollback_rows (id) VALUES (?)", 1)
                    try await connection.execute("INSERT INTO rollback_rows (id) VALUES (?)", 2)
                    try await connection.execute("CREATE TABLE rollback_made_inside (id BIGINT)")
                    throw BodyFailed()
                }
            }
            let count = try await database.read { try await $0.first("SELECT count(*) AS n FROM rollback_rows", []) }
            #expect(try count?.int("n") == 0)
            let table = try await database.read {
                try await $0.first("SELECT to_regclass('rollback_made_inside')::text AS name", [])
            }
            #expect(table?.values["name"] == .null)
            // The connection went back to the pool outside any transaction: the next write commits.
            _ = try await database.write { try await $0.execute("INSERT INTO rollback_rows (id) VALUES (?)", 3) }
            let after = try await database.read { try await $0.query("SELECT id FROM rollback_rows", []) }
            #expect(after.map { $0.values["id"] } == [3])
        }
    }

    @Test("a body that swallows a failed statement does not pass for a commit")
    func swallowedFailureIsNotACommit() async throws {
        try await withDatabase("pg_swallow") { database, _ in
            _ = try await database.write { try await $0.execute("CREATE TABLE swallow_rows (id BIGINT PRIMARY KEY)") }
            await #expect(throws: SQLError.self) {
                try await database.write { connection in
                    try await connection.execute("INSERT INTO swallow_rows (id) VALUES (?)", 1)
                    _ = try? await connection.execute("INSERT INTO swallow_rows (id) VALUES (?)", 1)
                }
            }
            let count = try await database.read { try await $0.first("SELECT count(*) AS n FROM swallow_rows", []) }
            #expect(try count?.int("n") == 0)
        }
    }

    // MARK: - Errors

    @Test("a unique violation names the constraint and not the value")
    func uniqueViolation() async throws {
        try await withDatabase("pg_unique") { database, _ in
            try await database.write { connection in
                try await connection.execute("CREATE TABLE unique_orgs (id BIGINT PRIMARY KEY, slug TEXT NOT NULL)")
                try await connection.execute("CREATE UNIQUE INDEX unique_orgs_slug ON unique_orgs (slug)")
                try await connection.execute("INSERT INTO unique_orgs (id, slug) VALUES (?, ?)", 1, "secret-slug")
            }
            let error = await #expect(throws: SQLError.self) {
                try await database.write { connection in
                    try await connection.execute("INSERT INTO unique_orgs (id, slug) VALUES (?, ?)", 2, "secret-slug")
                }
            }
            guard case .uniqueViolation(let detail) = error else {
                Issue.record("expected a unique violation, got \(String(describing: error))")
                return
            }
            #expect(detail == "unique_orgs_slug")
            #expect(!"\(error!)".contains("secret-slug"))
        }
    }

    @Test("a foreign key violation maps to foreignKeyViolation")
    func foreignKeyViolation() async throws {
        try await withDatabase("pg_fk") { database, _ in
            try await database.write { connection in
                try await connection.execute("CREATE TABLE fk_parents (id BIGINT PRIMARY KEY)")
                try await connection.execute(
                    "CREATE TABLE fk_children (id BIGINT PRIMARY KEY, parent_id BIGINT CONSTRAINT fk_children_parent REFERENCES fk_parents (id))"
                )
            }
            let error = await #expect(throws: SQLError.self) {
                try await database.write {
                    try await $0.execute("INSERT INTO fk_children (id, parent_id) VALUES (?, ?)", 1, 99)
                }
            }
            guard case .foreignKeyViolation(let detail) = error else {
                Issue.record("expected a foreign key violation, got \(String(describing: error))")
                return
            }
            #expect(detail == "fk_children_parent")
        }
    }

    @Test("other server errors carry the server's message and SQLSTATE")
    func serverError() async throws {
        try await withDatabase("pg_syntax") { database, _ in
            let error = await #expect(throws: SQLError.self) {
                try await database.read { try await $0.query("SELEC 1", []) }
            }
            guard case .database(let message) = error else {
                Issue.record("expected a database error, got \(String(describing: error))")
                return
            }
            #expect(message.contains("syntax error"))
            #expect(message.contains("42601"))
        }
    }

    // MARK: - Counts

    @Test("execute returns the rows each statement changed")
    func affectedRows() async throws {
        try await withDatabase("pg_counts") { database, _ in
            let counts = try await database.write { connection in
                [
                    try await connection.execute("CREATE TABLE count_rows (id BIGINT PRIMARY KEY, state TEXT)"),
                    try await connection.execute(
                        "INSERT INTO count_rows (id, state) VALUES (?, ?), (?, ?), (?, ?)", 1, "a", 2, "a", 3, "b"),
                    try await connection.execute("UPDATE count_rows SET state = ? WHERE state = ?", "c", "a"),
                    try await connection.execute("UPDATE count_rows SET state = ? WHERE id = ?", "x", 99),
                    try await connection.execute("DELETE FROM count_rows WHERE id = ?", 3),
                    try await connection.execute(
                        "INSERT INTO count_rows (id, state) VALUES (?, ?) ON CONFLICT (id) DO NOTHING", 1, "again"),
                ]
            }
            #expect(counts == [0, 3, 2, 0, 1, 0])
        }
    }

    // MARK: - Connecting

    @Test(
        "a malformed URL is invalid databaseUrl, and the message does not echo the password",
        arguments: [
            "not a url at all",
            "mysql://user:hunter2@localhost/db",
            "postgres://localhost:5432/db",
            "postgres://user:hunter2@localhost:5432",
            "postgres://user:hunter2@localhost:5432/",
            "postgres://user:hunter2@:5432/db",
            "postgres://user:hunter2@localhost:0/db",
            "postgres://user:hunter2@localhost:5432/db?sslmode=maybe",
            "postgres://user:hunter2@localhost:5432/db?hots=/tmp",
            "postgres://user:hunter2@localhost:5432/db?host=relative/dir",
            "postgres://user:hunter2@/db?host=/tmp&sslmode=require",
        ])
    func malformedURL(url: String) async throws {
        let error = await #expect(throws: SlipwayError.self) {
            _ = try await PostgresDatabase.connect(url: url, logger: Self.logger)
        }
        #expect(error?.kind == .invalid)
        #expect(error?.field == "databaseUrl")
        #expect(error?.message.contains("postgres://") == true)
        #expect(error?.message.contains("hunter2") == false)
    }

    @Test("URLs parse into host, port, percent-decoded credentials, socket path and TLS")
    func parsesURLs() throws {
        let full = try PostgresDatabase.Endpoint(
            url: "postgresql://sl%40ip:p%3As%2Fw%25rd@db.example.com:6543/slipway?sslmode=require")
        #expect(full.address == .tcp(host: "db.example.com", port: 6543))
        #expect(full.username == "sl@ip")
        #expect(full.password == "p:s/w%rd")
        #expect(full.database == "slipway")
        #expect(full.requireTLS)

        let short = try PostgresDatabase.Endpoint(url: "postgres://me@localhost/mine")
        #expect(short.address == .tcp(host: "localhost", port: 5432))
        #expect(short.password == nil)
        #expect(!short.requireTLS)

        let socket = try PostgresDatabase.Endpoint(url: "postgres://me@/mine?host=/run/postgresql/&sslmode=disable")
        #expect(socket.address == .unixSocket(path: "/run/postgresql/.s.PGSQL.5432"))

        let ipv6 = try PostgresDatabase.Endpoint(url: "postgres://me@[::1]:5433/mine")
        #expect(ipv6.address == .tcp(host: "::1", port: 5433))
        #expect(ipv6.location == "[::1]:5433")
    }

    @Test("an unreachable port fails quickly with an error naming host, port and database")
    func unreachablePort() async throws {
        let port = try closedPort()
        let clock = ContinuousClock()
        let started = clock.now
        let error = await #expect(throws: SQLError.self) {
            _ = try await PostgresDatabase.connect(
                url: "postgres://me:hunter2@127.0.0.1:\(port)/nowhere", logger: Self.logger)
        }
        #expect(clock.now - started < .seconds(12))
        let message = "\(error.map { "\($0)" } ?? "")"
        #expect(message.contains("127.0.0.1:\(port)"))
        #expect(message.contains("nowhere"))
        #expect(!message.contains("hunter2"))
    }

    @Test("a server that accepts but never answers fails at the deadline")
    func silentServer() async throws {
        let (descriptor, port) = try silentListener()
        defer { close(descriptor) }
        let clock = ContinuousClock()
        let started = clock.now
        let error = await #expect(throws: SQLError.self) {
            _ = try await PostgresDatabase.connect(
                url: "postgres://me@127.0.0.1:\(port)/quiet", logger: Self.logger, timeout: .seconds(1))
        }
        let elapsed = clock.now - started
        #expect(elapsed >= .seconds(1))
        #expect(elapsed < .seconds(5))
        // Our deadline or postgres-nio's connect timeout (the same length) may fire first.
        let message = error.map { "\($0)" } ?? ""
        #expect(message.contains("no answer within") || message.contains("Connect timeout"))
        #expect(message.contains("127.0.0.1:\(port)") && message.contains("quiet"))
    }

    @Test("a database that does not exist is reported by name when connecting")
    func missingDatabase() async throws {
        try await withDatabase("pg_missing") { _, url in
            guard var components = URLComponents(string: url) else {
                Issue.record("test URL did not parse")
                return
            }
            components.path = "/slw_no_such_database"
            let error = await #expect(throws: SQLError.self) {
                _ = try await PostgresDatabase.connect(url: components.string ?? "", logger: Self.logger)
            }
            #expect("\(error.map { "\($0)" } ?? "")".contains("\"slw_no_such_database\" does not exist"))
        }
    }

    @Test("connects through the unix socket given as ?host=")
    func unixSocket() async throws {
        try await withDatabase("pg_socket") { database, _ in
            let settings = try await database.read { connection in
                try await connection.first(
                    "SELECT current_setting('unix_socket_directories') AS dirs, current_setting('port') AS port, current_database() AS db, current_user AS who",
                    [])
            }
            let directories = try settings?.string("dirs") ?? ""
            guard
                let directory = directories.split(separator: ",").first.map({ $0.trimmingCharacters(in: .whitespaces) }
                ),
                directory.hasPrefix("/")
            else {
                Issue.record("the test server has no unix socket directory (\(directories))")
                return
            }
            let port = try settings?.string("port") ?? ""
            let name = try settings?.string("db") ?? ""
            let user = try settings?.string("who") ?? ""
            // No host before the path: the socket directory and the port name the socket file.
            let socketURL = "postgres://\(user)@:\(port)/\(name)?host=\(directory)"
            let viaSocket = try await PostgresDatabase.connect(url: socketURL, logger: Self.logger)
            let row = try await viaSocket.read { connection in
                try await connection.first("SELECT current_database() AS db, inet_server_addr()::text AS addr", [])
            }
            try await viaSocket.close()
            #expect(row?.values["db"] == .text(name))
            #expect(row?.values["addr"] == .null, "a unix socket connection has no server address")
        }
    }

    @Test("many concurrent reads share the pool")
    func concurrentReads() async throws {
        try await withDatabase("pg_pool") { database, _ in
            let total = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 1...40 {
                    group.addTask {
                        try await database.read { connection in
                            try await connection.first(
                                "SELECT ?::bigint AS n, pg_sleep(0.01)::text AS pause", [.integer(Int64(index))])?
                                .int("n") ?? 0
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(total == (1...40).reduce(0, +))
        }
    }

    @Test("a closed database refuses further work")
    func closed() async throws {
        let url = try await PostgresTestServer.makeDatabase(label: "pg_closed")
        let database = try await PostgresDatabase.connect(url: url, logger: Self.logger)
        #expect(try await database.read { try await $0.first("SELECT 1 AS one", [])?.int("one") } == 1)
        try await database.close()
        let error = await #expect(throws: SQLError.self) {
            try await database.read { try await $0.query("SELECT 1", []) }
        }
        #expect("\(error.map { "\($0)" } ?? "")".contains("was closed"))
        try await PostgresTestServer.dropDatabase(url: url)
    }
}

// MARK: - Sockets for the connection tests

/// A loopback port nothing listens on: bound, then released.
private func closedPort() throws -> Int {
    try LoopbackSocket.freePort()
}

/// A loopback socket that listens but never accepts: connecting works, then nothing answers.
private func silentListener() throws -> (Int32, Int) {
    let (descriptor, port) = try LoopbackSocket.bound()
    guard listen(descriptor, 8) == 0 else {
        close(descriptor)
        throw LoopbackSocket.Failure(description: "listen failed: errno \(errno)")
    }
    return (descriptor, port)
}
