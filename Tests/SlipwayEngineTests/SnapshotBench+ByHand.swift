import Foundation
import SlipwayCore
import SlipwayDrivers

/// The bench's hands: the `docker` CLI against the test engine, as an operator would type it, on the same
/// PostgreSQL service container, image and volumes that Slipway's snapshots use.
struct SnapshotBenchHands: Sendable {
    let socket: String
    /// The server's PostgreSQL service container.
    let container: String
    /// The instance's database (and role).
    let database: String
    /// The database service's image: one-off containers run it, as Slipway's do.
    let image: String
    let filestoreVolume: String
    let snapshotVolume: String
    /// `--label` arguments for one-off containers, so a container left behind is the test's to remove.
    let labelArguments: [String]

    /// Runs `docker ARGUMENTS...` and answers its standard output, trimmed; a non-zero exit throws.
    @discardableResult
    func docker(_ arguments: [String]) async throws -> String {
        let process = try LocalProcess.start(
            ["docker", "--host", "unix://" + socket] + arguments, environment: ProcessInfo.processInfo.environment)
        let result = await process.collect()
        guard result.termination.exitCode == 0 else {
            throw SnapshotBenchFailure(
                "docker \(arguments.prefix(6).joined(separator: " ")) exited \(result.termination.exitCode): "
                    + String(decoding: result.stderr.suffix(2_000), as: UTF8.self))
        }
        return String(decoding: result.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `docker exec` in the service container, as `postgres` unless told otherwise.
    @discardableResult
    func exec(_ argv: [String], user: String = "postgres") async throws -> String {
        try await docker(["exec", "--user", user, container] + argv)
    }

    /// One statement or query through psql in the service container (unaligned rows, no header).
    @discardableResult
    func psql(_ sql: String, database: String = "postgres") async throws -> String {
        try await exec(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-A", "-t", "-d", database, "-c", sql])
    }

    /// `docker run --rm` of the database image with the filestore at `/filestore` and the snapshot volume at
    /// `/snapshots`, as Slipway's one-off containers have them.
    @discardableResult
    func oneOff(_ argv: [String], readOnlyFilestore: Bool) async throws -> String {
        try await docker(
            ["run", "--rm"] + labelArguments + [
                "--volume", filestoreVolume + ":/filestore" + (readOnlyFilestore ? ":ro" : ""),
                "--volume", snapshotVolume + ":/snapshots", image,
            ] + argv)
    }

    /// Writes what is pending to disk (PostgreSQL's checkpoint, then the host's dirty pages), so a timed step
    /// does not pay for the writes of the one before.
    func settle() async throws {
        try await psql("CHECKPOINT")
        _ = await (try LocalProcess.start(["sync"], environment: ProcessInfo.processInfo.environment)).collect()
    }

    // MARK: By hand

    /// A snapshot's two files by hand, in the service's snapshot directory `name` (one-offs see it under
    /// `/snapshots/name`).
    struct Files {
        let name: String
        var directory: String { "/var/lib/slipway/snapshots/" + name }
        var dump: String { directory + "/database.dump" }
        var archive: String { directory + "/filestore.tar.gz" }
        var archiveInOneOff: String { "/snapshots/\(name)/filestore.tar.gz" }
    }

    /// The commands Slipway's snapshot runs, typed by hand: `pg_dump --format=custom` in the service container,
    /// `tar -czf` of the filestore in a one-off container, and the sha256 of each file.
    func snapshot(into files: Files) async throws -> SnapshotBenchLaps {
        try await exec(["install", "-d", "-o", "postgres", "-m", "0700", files.directory], user: "root")
        try await settle()
        var laps = SnapshotBenchLaps()
        try await laps.time("pg_dump --format=custom") {
            try await exec(["pg_dump", "--format=custom", "--file", files.dump, database])
        }
        try await laps.time("sha256sum of the dump") { try await exec(["sha256sum", files.dump]) }
        try await laps.time("tar -czf of the filestore (one-off container)") {
            try await oneOff(
                ["tar", "--numeric-owner", "-C", "/filestore", "-czf", files.archiveInOneOff, "."],
                readOnlyFilestore: true)
        }
        try await laps.time("sha256sum of the archive") { try await exec(["sha256sum", files.archive]) }
        return laps
    }

    /// A restore by hand: `pg_restore` into a fresh database, and the filestore emptied then unpacked with
    /// `tar -xzf` in one one-off container. Answers the times and the fresh database's name (left in place
    /// for the caller to check and drop; a swap is not part of it).
    func restore(from files: Files) async throws -> (laps: SnapshotBenchLaps, database: String) {
        let fresh = database + "_bench_" + Identifier.secret(bytes: 4)
        try await settle()
        var laps = SnapshotBenchLaps()
        try await laps.time("CREATE DATABASE (fresh)") {
            try await psql(
                "CREATE DATABASE \(try PostgresQuoting.identifier(fresh)) OWNER \(try PostgresQuoting.identifier(database)) TEMPLATE template0"
            )
        }
        try await laps.time("pg_restore into it") {
            try await exec([
                "pg_restore", "--no-owner", "--no-acl", "--exit-on-error", "--role=\(database)", "--dbname", fresh,
                files.dump,
            ])
        }
        try await laps.time("filestore emptied + tar -xzf (one-off container)") {
            try await oneOff(
                [
                    "sh", "-c", #"find /filestore -mindepth 1 -delete && tar --numeric-owner -xzf "$1" -C /filestore"#,
                    "sh", files.archiveInOneOff,
                ], readOnlyFilestore: false)
        }
        return (laps, fresh)
    }

    // MARK: Measuring

    /// The database's size on disk (tables and indexes) and its bench table's rows.
    func databaseState(_ name: String? = nil) async throws -> (bytes: Int, rows: Int) {
        let name = name ?? database
        let answer = try await psql(
            "SELECT pg_database_size(current_database()) || ' ' || (SELECT count(*) FROM bench_moves)", database: name)
        let fields = answer.split(separator: " ").compactMap { Int($0) }
        guard fields.count == 2 else { throw SnapshotBenchFailure("cannot read the size of \(name): \(answer)") }
        return (fields[0], fields[1])
    }

    /// The filestore's files: their count and the sum of their sizes.
    func filestoreState() async throws -> (bytes: Int, files: Int) {
        let answer = try await oneOff(
            [
                "sh", "-c",
                "find /filestore -type f -printf '%s\\n' | awk '{ n += 1; s += $1 } END { print s + 0, n + 0 }'",
            ],
            readOnlyFilestore: true)
        let fields = answer.split(separator: " ").compactMap { Int($0) }
        guard fields.count == 2 else { throw SnapshotBenchFailure("cannot read the filestore's size: \(answer)") }
        return (fields[0], fields[1])
    }

    /// The size of a file in the service container.
    func size(of path: String) async throws -> Int {
        Int(try await exec(["stat", "--format=%s", path])) ?? 0
    }
}

/// Named durations in the order they were measured.
struct SnapshotBenchLaps: Sendable {
    private(set) var laps: [(name: String, duration: Duration)] = []

    var total: Duration { laps.reduce(.zero) { $0 + $1.duration } }

    @discardableResult
    mutating func time<T>(_ name: String, _ work: () async throws -> T) async throws -> T {
        let start = ContinuousClock.now
        let result = try await work()
        laps.append((name, ContinuousClock.now - start))
        return result
    }

    mutating func append(_ name: String, _ duration: Duration) {
        laps.append((name, duration))
    }

    /// The laps of several runs, added up by name (in the first run's order).
    static func sum(_ runs: [SnapshotBenchLaps]) -> SnapshotBenchLaps {
        var sum = SnapshotBenchLaps()
        for run in runs {
            for lap in run.laps {
                if let index = sum.laps.firstIndex(where: { $0.name == lap.name }) {
                    sum.laps[index].duration += lap.duration
                } else {
                    sum.laps.append(lap)
                }
            }
        }
        return sum
    }
}

/// The bench could not measure what it set out to.
struct SnapshotBenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
