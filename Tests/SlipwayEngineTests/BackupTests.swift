import Crypto
import Foundation
import SlipwayCore
import SlipwayStore
import SlipwayTesting
import Testing

@testable import SlipwayDrivers
@testable import SlipwayEngine

/// Backups of an Odoo (stand-in) instance with real rows and files, copied to a directory on this
/// machine, read back, drilled in a scratch database, kept by their retention, and alerts when wrong.
@Suite("Backups", .serialized)
struct BackupTests {
    typealias World = InstanceLifecycleTests.World

    /// A fresh directory for a local destination, removed after `body`.
    static func withDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
        let path = NSTemporaryDirectory() + "slipway-backups-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try await body(path)
    }

    static func destination(_ world: World, path: String) async throws -> BackupDestination {
        let destination = BackupDestination(
            organizationId: world.organization.id, name: "local-\(UUID().uuidString.prefix(8))", kind: .local,
            path: path)
        try await world.store.createBackupDestination(destination, encryptedPrivateKey: nil, encryptedPassphrase: nil)
        return destination
    }

    static func schedule(
        _ world: World, _ shop: Instance, _ destination: BackupDestination,
        retention: BackupRetention = BackupRetention()
    ) async throws -> BackupSchedule {
        let schedule = BackupSchedule(
            organizationId: shop.organizationId, environmentId: shop.environmentId, instanceId: shop.id,
            cron: "daily at 02:00", destinationId: destination.id, retention: retention, lastDueAt: Date())
        try await world.store.createBackupSchedule(schedule)
        return schedule
    }

    /// Queues the schedule's backup the way the scheduler does and runs it the way its job does.
    static func runOnce(_ world: World, _ schedule: BackupSchedule, _ operations: BackupOperations) async throws
        -> Backup
    {
        let queued = try await BackupQueue.enqueue(schedule, store: world.store)
        let backup = try #require(queued.first)
        return try await operations.run(backup)
    }

    static func sha256(ofFile path: String) throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    static func openAlerts(_ world: World, _ environmentId: String) async throws -> [Alert] {
        try await world.store.alerts(
            organizationId: world.organization.id, environmentId: environmentId, includeResolved: false)
    }

    @Test(
        "a backup lands in the destination with the snapshot's checksums, and its drill restores the rows and counts the files"
    )
    func backupAndDrill() async throws {
        try await InstanceLifecycleTests.withWorld { world in
            try await Self.withDirectory { path in
                let operations = BackupOperations(snapshots: SnapshotOperations(instances: world.operations))
                let shop = try await SnapshotTests.shop(world)
                let destination = try await Self.destination(world, path: path)
                let schedule = try await Self.schedule(world, shop, destination)

                let backup = try await Self.runOnce(world, schedule, operations)
                #expect(backup.status == .completed, "\(backup.statusReason ?? "")")
                #expect(backup.verifiedAt != nil)
                let directory = "\(path)/\(shop.id)/\(backup.id)"
                #expect(backup.location == directory)
                let snapshotId = try #require(backup.snapshotId)
                let snapshot = try #require(
                    try await world.store.snapshot(organizationId: shop.organizationId, id: snapshotId))
                #expect(snapshot.kind == .backup && snapshot.status == .completed)
                #expect(try Self.sha256(ofFile: directory + "/database.dump") == snapshot.databaseSha256)
                #expect(try Self.sha256(ofFile: directory + "/filestore.tar.gz") == snapshot.filestoreSha256)
                #expect(backup.sizeBytes == snapshot.sizeBytes && backup.sizeBytes > 0)
                let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory).filter {
                    $0.hasSuffix(".partial")
                }
                #expect(leftovers.isEmpty)
                let afterRun = try #require(
                    try await world.store.backupSchedule(organizationId: shop.organizationId, id: schedule.id))
                #expect(afterRun.status == .ok && afterRun.lastBackupId == backup.id && afterRun.lastRunAt != nil)

                // The drill: a scratch database with the notes table's rows, the archive's files counted.
                let files = try await SnapshotTests.state(world, shop).files.split(separator: ",").count
                let drilled = try await operations.verify(backup)
                #expect(drilled.drillStatus == .passed, "\(drilled.drillReport ?? "")")
                let report = drilled.drillReport ?? ""
                #expect(report.contains("holds \(files) files"), "\(report)")
                #expect(report.contains("rows into a scratch database"), "\(report)")
                let service = DatabaseService(
                    docker: world.docker, server: world.server, image: InstanceLifecycleTests.images.database)
                #expect(try await service.databases().filter { $0.hasPrefix("slipway_drill_") }.isEmpty)

                // A truncated copy at the destination fails the drill and raises an alert on the environment.
                let dump = FileHandle(forWritingAtPath: directory + "/database.dump")
                try dump?.truncate(atOffset: 100)
                try dump?.close()
                let failed = try await operations.verify(backup)
                #expect(failed.drillStatus == .failed)
                #expect(
                    failed.drillReport?.contains("does not match its checksum") == true, "\(failed.drillReport ?? "")")
                let alerts = try await Self.openAlerts(world, shop.environmentId)
                #expect(alerts.contains { $0.kind == .drillFailed && $0.subjectId == backup.id })
            }
        }
    }

    static func service(_ world: World) -> DatabaseService {
        DatabaseService(docker: world.docker, server: world.server, image: InstanceLifecycleTests.images.database)
    }

    /// Runs `argv` as root in the server's PostgreSQL service container, as a user at the server would.
    static func onServer(_ world: World, _ argv: [String]) async throws {
        let result = try await world.docker.exec(Self.service(world).containerName, command: argv, user: "root")
        try #require(result.exitCode == 0, "\(argv): \(result.stderr)")
    }

    /// What a drill may leave behind: scratch directories in the snapshot volume, scratch databases.
    static func drillLeftovers(_ world: World) async throws -> [String] {
        let service = Self.service(world)
        let listing = try await world.docker.exec(
            service.containerName, command: ["ls", "-A", DatabaseService.snapshotDirectory], user: "root")
        let directories = listing.stdout.split(separator: "\n").map(String.init).filter { $0.hasPrefix("drill-") }
        return directories + (try await service.databases().filter { $0.hasPrefix("slipway_drill_") })
    }

    /// The drill report's part that says what the scratch database held.
    static func restored(_ report: String?) -> String? {
        report?.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.first {
            $0.hasPrefix("restored ")
        }
    }

    @Test(
        "when the server's copy changed or is gone, the drill restores the destination's copy, says so, and leaves nothing behind"
    )
    func drillFromDestination() async throws {
        try await InstanceLifecycleTests.withWorld { world in
            try await Self.withDirectory { path in
                let operations = BackupOperations(snapshots: SnapshotOperations(instances: world.operations))
                let shop = try await SnapshotTests.shop(world)
                let destination = try await Self.destination(world, path: path)
                let schedule = try await Self.schedule(world, shop, destination)
                let backup = try await Self.runOnce(world, schedule, operations)
                #expect(backup.status == .completed, "\(backup.statusReason ?? "")")
                let server = SnapshotOperations.Files(try #require(backup.snapshotId))
                let files = try await SnapshotTests.state(world, shop).files.split(separator: ",").count

                let fromServer = try await operations.verify(backup)
                #expect(fromServer.drillStatus == .passed, "\(fromServer.drillReport ?? "")")
                #expect(fromServer.drillReport?.contains("destination's copy") == false)
                let rows = try #require(Self.restored(fromServer.drillReport))

                // The server's dump changed (cut short): the destination's copy is restored instead.
                try await Self.onServer(world, ["truncate", "-s", "100", server.dump])
                let changed = try await operations.verify(backup)
                #expect(changed.drillStatus == .passed, "\(changed.drillReport ?? "")")
                #expect(
                    changed.drillReport?.contains(
                        "the server's copy did not match its checksums: restored from the destination's copy") == true,
                    "\(changed.drillReport ?? "")")
                #expect(Self.restored(changed.drillReport) == rows)
                #expect(try await Self.drillLeftovers(world).isEmpty)

                // The snapshot's files gone, as with a lost volume: the same rows and files come back. A scratch
                // directory a cancelled drill left two days ago goes; one of another drill running now stays.
                try await Self.onServer(world, ["rm", "-rf", "--", server.directory])
                let stale = DatabaseService.snapshotDirectory + "/drill-stale0000"
                let running = DatabaseService.snapshotDirectory + "/drill-running000"
                try await Self.onServer(world, ["mkdir", "--", stale, running])
                try await Self.onServer(world, ["touch", "-d", "2 days ago", "--", stale])
                let gone = try await operations.verify(backup)
                #expect(try await Self.drillLeftovers(world) == ["drill-running000"])
                try await Self.onServer(world, ["rm", "-rf", "--", running])
                #expect(gone.drillStatus == .passed, "\(gone.drillReport ?? "")")
                let report = gone.drillReport ?? ""
                #expect(
                    report.contains("the server's copy was gone: restored from the destination's copy"), "\(report)")
                #expect(Self.restored(report) == rows, "\(report)")
                #expect(report.contains("holds \(files) files"), "\(report)")
                #expect(try await Self.drillLeftovers(world).isEmpty)
                #expect(try await Self.openAlerts(world, shop.environmentId).isEmpty)

                // The destination's copy corrupted too (one byte in the middle): the drill fails, alerts, and
                // leaves no scratch directory or database.
                let dumpPath = "\(path)/\(shop.id)/\(backup.id)/database.dump"
                var dump = try Data(contentsOf: URL(fileURLWithPath: dumpPath))
                dump[dump.count / 2] ^= 0xff
                try dump.write(to: URL(fileURLWithPath: dumpPath))
                let failed = try await operations.verify(backup)
                #expect(failed.drillStatus == .failed)
                #expect(
                    failed.drillReport?.contains("does not match its checksum") == true, "\(failed.drillReport ?? "")")
                #expect(
                    try await Self.openAlerts(world, shop.environmentId).contains {
                        $0.kind == .drillFailed && $0.subjectId == backup.id
                    })
                #expect(try await Self.drillLeftovers(world).isEmpty)
            }
        }
    }

    @Test("retention keeps one daily backup: the older one's files, snapshot and record go")
    func retention() async throws {
        try await InstanceLifecycleTests.withWorld { world in
            try await Self.withDirectory { path in
                let operations = BackupOperations(snapshots: SnapshotOperations(instances: world.operations))
                let shop = try await SnapshotTests.shop(world)
                let destination = try await Self.destination(world, path: path)
                let schedule = try await Self.schedule(
                    world, shop, destination, retention: BackupRetention(keepDaily: 1, keepWeekly: 0, keepMonthly: 0))
                let first = try await Self.runOnce(world, schedule, operations)
                #expect(first.status == .completed, "\(first.statusReason ?? "")")
                let second = try await Self.runOnce(world, schedule, operations)
                #expect(second.status == .completed, "\(second.statusReason ?? "")")

                let left = try await world.store.backups(
                    organizationId: shop.organizationId, environmentId: shop.environmentId)
                #expect(left.map(\.id) == [second.id])
                #expect(!FileManager.default.fileExists(atPath: "\(path)/\(shop.id)/\(first.id)"))
                #expect(FileManager.default.fileExists(atPath: "\(path)/\(shop.id)/\(second.id)/database.dump"))
                let firstSnapshotId = try #require(first.snapshotId)
                let firstSnapshot = try await world.store.snapshot(
                    organizationId: shop.organizationId, id: firstSnapshotId)
                #expect(firstSnapshot == nil)
            }
        }
    }

    @Test("a failed backup and a much smaller one raise alerts and turn the schedule failing; a good one clears them")
    func alerts() async throws {
        try await InstanceLifecycleTests.withWorld { world in
            try await Self.withDirectory { path in
                let operations = BackupOperations(snapshots: SnapshotOperations(instances: world.operations))
                let shop = try await SnapshotTests.shop(world)
                // A destination under a regular file cannot be written.
                try Data("not a directory".utf8).write(to: URL(fileURLWithPath: path))
                let blocked = try await Self.destination(world, path: path + "/under-a-file")
                let schedule = try await Self.schedule(world, shop, blocked)
                let failed = try await Self.runOnce(world, schedule, operations)
                #expect(failed.status == .failed)
                var state = try #require(
                    try await world.store.backupSchedule(organizationId: shop.organizationId, id: schedule.id))
                #expect(state.status == .failing)
                #expect(
                    try await Self.openAlerts(world, shop.environmentId).contains {
                        $0.kind == .backupFailed && $0.subjectId == schedule.id
                    })

                // Writable again: the next backup succeeds and clears the failure. It holds a 2 MiB file.
                try FileManager.default.removeItem(atPath: path)
                let written = try await world.docker.exec(
                    shop.containerName(.blue),
                    command: ["dd", "if=/dev/urandom", "of=/var/lib/odoo/filestore/big.bin", "bs=1M", "count=2"],
                    timeout: .seconds(30))
                try #require(written.exitCode == 0, "\(written.stderr)")
                let good = try await Self.runOnce(world, schedule, operations)
                #expect(good.status == .completed, "\(good.statusReason ?? "")")
                state = try #require(
                    try await world.store.backupSchedule(organizationId: shop.organizationId, id: schedule.id))
                #expect(state.status == .ok)
                #expect(try await Self.openAlerts(world, shop.environmentId).isEmpty)

                // The files gone: the next backup is under half the last one's size, and says so.
                _ = try await world.docker.exec(
                    shop.containerName(.blue),
                    command: ["find", "/var/lib/odoo/filestore", "-type", "f", "-delete"], timeout: .seconds(30))
                let smaller = try await Self.runOnce(world, schedule, operations)
                #expect(smaller.status == .completed)
                state = try #require(
                    try await world.store.backupSchedule(organizationId: shop.organizationId, id: schedule.id))
                #expect(state.status == .failing)
                #expect(state.statusReason?.contains("much smaller") == true)
                #expect(try await Self.openAlerts(world, shop.environmentId).contains { $0.kind == .backupSmaller })
            }
        }
    }

    @Test(
        "the snapshot cleanup job removes what the environment's retention lets go, never a pinned one, and records it")
    func snapshotCleanup() async throws {
        try await InstanceLifecycleTests.withWorld { world in
            let snapshots = SnapshotOperations(instances: world.operations)
            let shop = try await SnapshotTests.shop(world)
            var taken: [Snapshot] = []
            for _ in 0..<3 { taken.append(try await SnapshotTests.snapshot(world, shop, snapshots)) }
            _ = try await world.store.setSnapshotPinned(
                organizationId: shop.organizationId, id: taken[0].id, pinned: true)
            _ = try await world.store.setSnapshotRetention(
                organizationId: shop.organizationId, environmentId: shop.environmentId, SnapshotRetention(keepLast: 1))
            let job = Job(organizationId: shop.organizationId, kind: .snapshotCleanup, subjectId: shop.environmentId)
            try await SnapshotJobHandler(kind: .snapshotCleanup, operations: snapshots).run(job)

            let left = try await world.store.snapshots(
                organizationId: shop.organizationId, environmentId: shop.environmentId)
            #expect(Set(left.map(\.id)) == [taken[0].id, taken[2].id])
            let audit = try await world.store.auditEntries(
                organizationId: shop.organizationId, filter: AuditFilter(resource: "snapshots"), page: try PageRequest()
            )
            #expect(audit.items.filter { $0.action == "snapshot.cleanup" }.map(\.resourceId) == [taken[1].id])
        }
    }

    @Test("a backup to SFTP arrives with matching checksums, pins the host's key, and a drill passes on it")
    func sftp() async throws {
        let sshd = try await SSHTestServer.shared()
        try await InstanceLifecycleTests.withWorld { world in
            let operations = BackupOperations(snapshots: SnapshotOperations(instances: world.operations))
            let shop = try await SnapshotTests.shop(world)
            let home = "/home/\(SSHTestServer.keyUser)"
            let path = "\(home)/backups-\(UUID().uuidString.prefix(8))"
            defer { try? FileManager.default.removeItem(atPath: path) }
            let destination = BackupDestination(
                organizationId: world.organization.id, name: "offsite", kind: .sftp, path: path, host: "127.0.0.1",
                port: sshd.port, username: SSHTestServer.keyUser, hasPrivateKey: true)
            try await world.store.createBackupDestination(
                destination, encryptedPrivateKey: try InstanceLifecycleTests.secrets.seal(sshd.credentials.ed25519),
                encryptedPassphrase: nil)
            let schedule = try await Self.schedule(world, shop, destination)

            let backup = try await Self.runOnce(world, schedule, operations)
            #expect(backup.status == .completed, "\(backup.statusReason ?? "")")
            #expect(backup.location?.hasPrefix("sftp://\(SSHTestServer.keyUser)@127.0.0.1:\(sshd.port)/") == true)
            // Read on the SFTP host's own disk, not through Slipway.
            let directory = "\(path)/\(shop.id)/\(backup.id)"
            #expect(try Self.sha256(ofFile: directory + "/database.dump") == backup.databaseSha256)
            #expect(try Self.sha256(ofFile: directory + "/filestore.tar.gz") == backup.filestoreSha256)
            let pinned = try await world.store.backupDestination(
                organizationId: world.organization.id, id: destination.id)
            #expect(pinned?.hostKeyFingerprint == sshd.hostKeyFingerprint)

            let drilled = try await operations.verify(backup)
            #expect(drilled.drillStatus == .passed, "\(drilled.drillReport ?? "")")

            // The server's snapshot gone: the drill streams the copy back from the SFTP host and passes.
            let server = SnapshotOperations.Files(try #require(backup.snapshotId))
            try await Self.onServer(world, ["rm", "-rf", "--", server.directory])
            let fromHost = try await operations.verify(backup)
            #expect(fromHost.drillStatus == .passed, "\(fromHost.drillReport ?? "")")
            #expect(
                fromHost.drillReport?.contains("the server's copy was gone: restored from the destination's copy")
                    == true, "\(fromHost.drillReport ?? "")")
            #expect(Self.restored(fromHost.drillReport) == Self.restored(drilled.drillReport))
            #expect(try await Self.drillLeftovers(world).isEmpty)
            try await operations.delete(backup)
            #expect(!FileManager.default.fileExists(atPath: directory))
        }
    }
}
