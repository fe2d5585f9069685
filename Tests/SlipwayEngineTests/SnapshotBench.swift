import Foundation
import SlipwayCore
import SlipwayStore
import SlipwayTesting
import Testing

@testable import SlipwayDrivers
@testable import SlipwayEngine

extension Tag {
    /// Benchmarks: they print figures and assert nothing timed; they run only with SLIPWAY_BENCH=1 (`bench/`).
    @Tag static var bench: Self
}

/// `bench/snapshot`: Slipway's snapshot and restore of an Odoo (stand-in) instance with a database and a
/// filestore of `SLIPWAY_BENCH_SNAPSHOT_MB` MiB each (default 1024), against the same `pg_dump`,
/// `pg_restore`, `tar` and `sha256sum` typed by hand with the docker CLI, on the same data in the same run.
/// Rounds alternate which side goes first. Prints the figures; asserts only that both sides did their work
/// (the restored rows and files are all there), never a time.
@Suite(
    "Snapshot bench", .tags(.bench), .serialized,
    .enabled(if: ProcessInfo.processInfo.environment["SLIPWAY_BENCH"] == "1", "set SLIPWAY_BENCH=1 (bench/snapshot)"))
struct SnapshotBench {
    static var megabytes: Int { Int(ProcessInfo.processInfo.environment["SLIPWAY_BENCH_SNAPSHOT_MB"] ?? "") ?? 1024 }
    static var rounds: Int {
        max(1, Int(ProcessInfo.processInfo.environment["SLIPWAY_BENCH_SNAPSHOT_ROUNDS"] ?? "") ?? 2)
    }
    /// What a restore is expected to give back.
    struct Expected {
        let rows: Int
        let filestore: (bytes: Int, files: Int)
    }

    /// One round's times, each side's laps (Slipway's restore: its stages, as its progress reports them).
    struct Round {
        var handFirst: Bool
        var slipwaySnapshot = Duration.zero
        var handSnapshot = SnapshotBenchLaps()
        var slipwayRestore = SnapshotBenchLaps()
        var handRestore = SnapshotBenchLaps()
        var sizes: (slipwayDump: Int, slipwayArchive: Int, handDump: Int, handArchive: Int) = (0, 0, 0, 0)
    }

    @Test("snapshot and restore of a large instance: Slipway vs the same tools by hand")
    func slipwayVersusByHand() async throws {
        try await InstanceLifecycleTests.withWorld { world in
            let operations = SnapshotOperations(instances: world.operations)
            let shop = try await SnapshotTests.shop(world)
            let hands = try await Self.hands(world, shop)
            let target = Self.megabytes * 1_048_576
            Self.say("filling the database and the filestore to \(Self.mebibytes(target)) each")
            let database = try await hands.fillDatabase(to: target) { Self.say($0) }
            let filestore = try await hands.fillFilestore(to: target)
            Self.say("database \(Self.mebibytes(database.bytes)), filestore \(Self.mebibytes(filestore.bytes))")
            let expected = Expected(rows: database.rows, filestore: filestore)

            var rounds: [Round] = []
            var extraWork = SnapshotBenchLaps()
            for number in 1...Self.rounds {
                var round = Round(handFirst: number % 2 == 1)
                let order = [round.handFirst, !round.handFirst]
                let files = SnapshotBenchHands.Files(name: "bench-hand-\(number)")
                var taken: Snapshot?
                for handTurn in order {
                    if handTurn {
                        round.handSnapshot = try await hands.snapshot(into: files)
                        round.sizes.handDump = try await hands.size(of: files.dump)
                        round.sizes.handArchive = try await hands.size(of: files.archive)
                    } else {
                        let (duration, snapshot) = try await Self.slipwaySnapshot(world, shop, operations, hands)
                        round.slipwaySnapshot = duration
                        round.sizes.slipwayDump = snapshot.databaseBytes ?? 0
                        round.sizes.slipwayArchive = snapshot.filestoreBytes ?? 0
                        taken = snapshot
                    }
                }
                let snapshot = try #require(taken)
                Self.say("round \(number): snapshots taken")
                for handTurn in order {
                    if handTurn {
                        round.handRestore = try await Self.handRestore(hands, files, expected)
                    } else {
                        round.slipwayRestore = try await Self.slipwayRestore(
                            world, shop, operations, hands, snapshot, expected)
                    }
                }
                Self.say("round \(number): restores done")
                if number == Self.rounds { extraWork = try await Self.extraWork(hands, files) }
                try await operations.delete(snapshot)
                try await hands.exec(["rm", "-rf", files.directory], user: "root")
                rounds.append(round)
            }
            Self.report(database: database, filestore: filestore, rounds: rounds, extraWork: extraWork)
        }
    }

    // MARK: Each side

    static func hands(_ world: InstanceLifecycleTests.World, _ shop: Instance) async throws -> SnapshotBenchHands {
        let image = InstanceLifecycleTests.images.database
        let service = DatabaseService(docker: world.docker, server: world.server, image: image)
        return SnapshotBenchHands(
            socket: try await DockerTestEngine.socketPath(), container: service.containerName,
            database: try #require(shop.databaseName), image: image,
            filestoreVolume: world.operations.filestoreVolume(shop), snapshotVolume: service.snapshotVolume,
            labelArguments: [
                "--label", "\(SlipwayLabels.managedKey)=true",
                "--label", "\(SlipwayLabels.organizationKey)=\(shop.organizationId)",
            ])
    }

    /// `SnapshotOperations.take`, timed from the call to its answer (the record is made before).
    static func slipwaySnapshot(
        _ world: InstanceLifecycleTests.World, _ shop: Instance, _ operations: SnapshotOperations,
        _ hands: SnapshotBenchHands
    ) async throws -> (Duration, Snapshot) {
        let record = Snapshot(
            organizationId: shop.organizationId, environmentId: shop.environmentId, instanceId: shop.id, kind: .manual)
        try await world.store.createSnapshot(record)
        try await hands.settle()
        let start = ContinuousClock.now
        let taken = try await operations.take(record)
        let duration = ContinuousClock.now - start
        try #require(taken.status == .completed, "\(taken.statusReason ?? "")")
        return (duration, taken)
    }

    /// `SnapshotOperations.restore` into the same instance without a safety snapshot, timed stage by stage
    /// from its progress; then every row and file must be back and the instance running.
    static func slipwayRestore(
        _ world: InstanceLifecycleTests.World, _ shop: Instance, _ operations: SnapshotOperations,
        _ hands: SnapshotBenchHands, _ snapshot: Snapshot, _ expected: Expected
    ) async throws -> SnapshotBenchLaps {
        let stages = StageClock()
        try await hands.settle()
        let start = ContinuousClock.now
        _ = try await operations.restore(snapshot, safetySnapshot: false) { await stages.begin($0) }
        let laps = await stages.laps(from: start, to: .now)
        let restored = try await InstanceLifecycleTests.reload(world, shop)
        #expect(restored.status == .running, "\(restored.statusReason ?? "")")
        #expect(try await hands.databaseState().rows == expected.rows)
        let filestore = try await hands.filestoreState()
        #expect(filestore.bytes == expected.filestore.bytes && filestore.files == expected.filestore.files)
        return laps
    }

    /// The restore by hand; then the fresh database must hold every row, and the filestore every file, and
    /// the fresh database is dropped (the instance keeps its own).
    static func handRestore(
        _ hands: SnapshotBenchHands, _ files: SnapshotBenchHands.Files, _ expected: Expected
    ) async throws -> SnapshotBenchLaps {
        let (laps, fresh) = try await hands.restore(from: files)
        #expect(try await hands.databaseState(fresh).rows == expected.rows)
        let filestore = try await hands.filestoreState()
        #expect(filestore.bytes == expected.filestore.bytes && filestore.files == expected.filestore.files)
        try await hands.psql("DROP DATABASE \(try PostgresQuoting.identifier(fresh)) WITH (FORCE)")
        return laps
    }

    /// The checks Slipway adds to the same tools, each timed once by hand on the by-hand files.
    static func extraWork(_ hands: SnapshotBenchHands, _ files: SnapshotBenchHands.Files) async throws
        -> SnapshotBenchLaps
    {
        try await hands.settle()
        var laps = SnapshotBenchLaps()
        try await laps.time("pg_restore --list of the dump") {
            try await hands.exec(["pg_restore", "--list", files.dump])
        }
        try await laps.time("stat of both files") {
            try await hands.exec(["stat", "--format=%s", files.dump])
            try await hands.exec(["stat", "--format=%s", files.archive])
        }
        try await laps.time("sha256sum of both files") {
            try await hands.exec(["sha256sum", files.dump])
            try await hands.exec(["sha256sum", files.archive])
        }
        try await laps.time("tar -tzf of the archive (one-off container; no longer part of a restore)") {
            try await hands.oneOff(["tar", "-tzf", files.archiveInOneOff], readOnlyFilestore: true)
        }
        try await laps.time("an empty one-off container (docker run --rm true)") {
            try await hands.oneOff(["true"], readOnlyFilestore: true)
        }
        return laps
    }

    /// When each stage a restore reports began.
    actor StageClock {
        private var stamps: [(name: String, at: ContinuousClock.Instant)] = []

        func begin(_ name: String) {
            stamps.append((name, .now))
        }

        /// Each stage's duration, up to the next one's beginning or `end`; what came before the first stage is
        /// "before the first stage".
        func laps(from start: ContinuousClock.Instant, to end: ContinuousClock.Instant) -> SnapshotBenchLaps {
            var laps = SnapshotBenchLaps()
            laps.append("before the first stage", (stamps.first?.at ?? end) - start)
            for (index, stamp) in stamps.enumerated() {
                laps.append(stamp.name, (index + 1 < stamps.count ? stamps[index + 1].at : end) - stamp.at)
            }
            return laps
        }
    }
}
