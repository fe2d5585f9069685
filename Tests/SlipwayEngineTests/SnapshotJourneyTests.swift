import Crypto
import Foundation
import Logging
import SlipwayCore
import SlipwayStore
import SlipwayTesting
import Testing

@testable import SlipwayDrivers
@testable import SlipwayEngine

/// Issue 5's "done when", with the built binaries against `slipway serve` (its job runner and scheduler run
/// the snapshots, restores, backups and drills on this machine): a user snapshots an Odoo (stand-in) instance
/// from the CLI, breaks its rows and files, restores it and has exactly the old rows and files back; schedules
/// a daily backup to an SFTP host (the test sshd) and sees it listed as verified with a passed drill; sees a
/// backup that failed (a directory the SFTP user may not write) and the backups missed while the control plane
/// was down, in `slipway backup alerts` and `slipway env show`.
@Suite("A snapshot and backup journey with the CLI", .serialized)
struct SnapshotJourneyTests {
    typealias Run = DeploymentJourneyTests.Run

    /// The `slipway` CLI, pointed at one control plane with one token.
    struct CLI {
        let binary: String
        let url: String
        let token: String

        func callAsFunction(_ arguments: String...) async throws -> Run {
            try await DeploymentJourneyTests.cli(binary, url: url, token: token, arguments)
        }
    }

    /// The first id with `prefix` (`snp`, `dst`, `bks`, `bak`) in what the CLI printed.
    static func id(_ prefix: String, in run: Run) throws -> String {
        let match = try #require(run.out.firstMatch(of: try Regex("\(prefix)_[0-9a-z]{26}")), "no id in \(run)")
        return String(run.out[match.range])
    }

    /// The lines the CLI printed that name `id` (a table's row, a watch's verdict).
    static func lines(_ run: Run, naming id: String) -> [String] {
        run.out.split(separator: "\n").filter { $0.contains(id) }.map(String.init)
    }

    /// Asks `check` every half second until it holds, for up to `seconds`; answers whether it did.
    static func eventually(seconds: Double, _ check: () async throws -> Bool) async throws -> Bool {
        let start = Date()
        while Date().timeIntervalSince(start) < seconds {
            if try await check() { return true }
            try await Task.sleep(for: .milliseconds(500))
        }
        return try await check()
    }

    /// What a careless hand does: a note deleted, another changed, a new one, every filestore file deleted.
    static func breakData(_ world: InstanceLifecycleTests.World, _ shop: Instance) async throws {
        let service = DatabaseService(
            docker: world.docker, server: world.server, image: InstanceLifecycleTests.images.database)
        _ = try await service.run(
            [
                "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", try #require(shop.databaseName), "-c",
                "DELETE FROM standin_notes WHERE text = 'first'; UPDATE standin_notes SET text = 'changed' WHERE text = 'second'",
            ])
        let note = try await InstanceLifecycleTests.throughProxy(
            world, shop, .POST, "/standin/notes", json: #"{"text":"fourth"}"#)
        try #require(note.status == 201, "\(note.body)")
        let deleted = try await world.docker.exec(
            shop.containerName(.blue), command: ["find", "/var/lib/odoo/filestore", "-type", "f", "-delete"],
            timeout: .seconds(30))
        try #require(deleted.exitCode == 0, "\(deleted.stderr)")
    }

    @Test(
        "snapshot, break and restore from the CLI; a daily SFTP backup listed verified; failed and missed backups shown",
        .enabled(if: DeploymentCrashTests.binary != nil, "skipped: no .build/debug/slipway"),
        .timeLimit(.minutes(8)))
    func journey() async throws {
        let binary = try #require(DeploymentCrashTests.binary)
        let sshd = try await SSHTestServer.shared()
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "slipway-snapjourney-\(suffix)"
        )
        .path
        let keyFile = dataDirectory + "-sftp-key"
        let home = "/home/\(SSHTestServer.keyUser)"
        let offsite = "\(home)/journey-backups-\(suffix)"
        let locked = "\(home)/journey-locked-\(suffix)"
        defer {
            for path in [dataDirectory, keyFile, offsite, locked] { try? FileManager.default.removeItem(atPath: path) }
        }
        let store = try await SQLStore.open(
            dataDirectory: dataDirectory, databaseURL: nil, logger: Logger(label: "slipway.test"))
        defer { Task { try? await store.close() } }
        try await InstanceLifecycleTests.withWorld(store: store) { world in
            let shop = try await SnapshotTests.shop(world)
            let env = shop.environmentId
            let secret = "slw_" + Identifier.secret(bytes: 32)
            try await store.createToken(
                APIToken(
                    kind: .apiKey, name: "journey", prefix: String(secret.prefix(12)),
                    organizationId: shop.organizationId, userId: nil,
                    permissions: [.manage(.snapshots), .manage(.backups), .view(.environments), .view(.instances)]),
                secretHash: SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined())
            let port = try LoopbackSocket.freePort()
            var control = try await DeploymentCrashTests.serveAnswering(
                binary, dataDirectory: dataDirectory, port: port)
            defer { control.send(SIGKILL) }
            let slipway = CLI(binary: binary, url: "http://127.0.0.1:\(port)", token: secret)

            // A snapshot from the CLI, then the data broken.
            let before = try await SnapshotTests.state(world, shop)
            try #require(before.rows.hasPrefix("3:") && !before.files.isEmpty, "\(before)")
            let taken = try await slipway("snapshot", "create", "--environment", env, "--wait")
            #expect(taken.code == 0, "\(taken)")
            let snapshot = try Self.id("snp", in: taken)
            #expect(taken.out.contains("snapshot \(snapshot) of instance \(shop.id) completed"), "\(taken)")
            try await Self.breakData(world, shop)
            let broken = try await SnapshotTests.state(world, shop)
            #expect(broken.rows != before.rows && broken.files != before.files, "\(broken)")

            // Restored from the CLI: exactly the old rows and files.
            let restore = try await slipway("snapshot", "restore", "--environment", env, snapshot, "--yes", "--wait")
            #expect(restore.code == 0, "\(restore)")
            #expect(restore.out.contains("of snapshot \(snapshot) into instance \(shop.id) completed"), "\(restore)")
            #expect(restore.out.contains("swap the restored database in completed"), "\(restore)")
            let restored = try await InstanceLifecycleTests.reload(world, shop)
            #expect(restored.status == .running, "\(restored.statusReason ?? "")")
            let after = try await SnapshotTests.state(world, restored)
            #expect(after.rows == before.rows)
            #expect(after.files == before.files)

            // A daily backup to the SFTP host, run now, read back on the host's disk, drilled, listed verified.
            try Data(sshd.credentials.ed25519.utf8).write(to: URL(fileURLWithPath: keyFile))
            chmod(keyFile, 0o600)
            let sftp = "\(SSHTestServer.keyUser)@127.0.0.1:\(sshd.port):"
            let added = try await slipway(
                "backup", "destination", "add", "--name", "offsite", "--sftp", sftp + offsite, "--key-file", keyFile)
            #expect(added.code == 0, "\(added)")
            let destination = try Self.id("dst", in: added)
            let scheduled = try await slipway(
                "backup", "schedule", "add", "--environment", env, "--destination", destination, "--cron", "daily")
            #expect(scheduled.code == 0, "\(scheduled)")
            let schedule = try Self.id("bks", in: scheduled)
            let ran = try await slipway("backup", "schedule", "run", "--environment", env, schedule, "--wait")
            #expect(ran.code == 0, "\(ran)")
            let backup = try Self.id("bak", in: ran)
            #expect(
                ran.out.contains("backup \(backup) of instance \(shop.id) completed")
                    && ran.out.contains("sftp://\(SSHTestServer.keyUser)@127.0.0.1:\(sshd.port)\(offsite)/"),
                "\(ran)")
            let record = try #require(try await store.backup(organizationId: shop.organizationId, id: backup))
            let copy = "\(offsite)/\(shop.id)/\(backup)"
            #expect(try BackupTests.sha256(ofFile: copy + "/database.dump") == record.databaseSha256)
            #expect(try BackupTests.sha256(ofFile: copy + "/filestore.tar.gz") == record.filestoreSha256)
            let drilled = try await slipway("backup", "verify", "--environment", env, backup, "--wait")
            #expect(drilled.code == 0, "\(drilled)")
            #expect(drilled.out.contains("drill of backup \(backup): passed"), "\(drilled)")
            let listed = try await slipway("backup", "list", "--environment", env)
            let row = Self.lines(listed, naming: backup)
            #expect(
                row.count == 1
                    && row.allSatisfy { $0.contains("completed") && $0.contains("✓") && $0.contains("passed") },
                "\(listed)")

            // A directory the SFTP user may not write: adding it says so at once (exit 1, the destination kept
            // for a later check); a backup to it says failed and exits 1; the environment shows it.
            try FileManager.default.createDirectory(
                atPath: locked, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
            let lockedAdded = try await slipway(
                "backup", "destination", "add", "--name", "locked", "--sftp", sftp + locked, "--key-file", keyFile)
            #expect(lockedAdded.code == 1, "\(lockedAdded)")
            #expect(lockedAdded.out.contains(locked) && lockedAdded.out.contains("fix it, then"), "\(lockedAdded)")
            let lockedSchedule = try Self.id(
                "bks",
                in: try await slipway(
                    "backup", "schedule", "add", "--environment", env, "--destination",
                    try Self.id("dst", in: lockedAdded), "--cron", "daily at 03:00"))
            let failed = try await slipway("backup", "schedule", "run", "--environment", env, lockedSchedule, "--wait")
            #expect(failed.code == 1, "\(failed)")
            let failedBackup = try Self.id("bak", in: failed)
            #expect(failed.out.contains("backup \(failedBackup) of instance \(shop.id) failed: "), "\(failed)")
            #expect(failed.out.contains("permission denied"), "the reason a person can act on: \(failed)")
            let failedRow = Self.lines(try await slipway("backup", "list", "--environment", env), naming: failedBackup)
            #expect(failedRow.count == 1 && failedRow.allSatisfy { $0.contains("failed") && $0.contains("✗") })
            let schedules = try await slipway("backup", "schedule", "list", "--environment", env)
            #expect(Self.lines(schedules, naming: lockedSchedule).first?.contains("failing") == true, "\(schedules)")
            let alerts = try await slipway("backup", "alerts", "--environment", env)
            #expect(
                Self.lines(alerts, naming: lockedSchedule).contains {
                    $0.contains("backup-failed") && $0.contains("open")
                },
                "\(alerts)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: locked).isEmpty)

            // The control plane down for three days: the daily backups due meanwhile are shown as missed, and a
            // catch-up backup runs as soon as it is back. (The days pass in the store, while it is down.)
            control.send(SIGTERM)
            _ = await control.collect()
            var due = try #require(try await store.backupSchedule(organizationId: shop.organizationId, id: schedule))
            due.lastDueAt = Date().addingTimeInterval(-3 * 86_400)
            _ = try await store.updateBackupSchedule(due)
            control = try await DeploymentCrashTests.serveAnswering(binary, dataDirectory: dataDirectory, port: port)
            var missed = Run(code: -1, out: "")
            let raised = try await Self.eventually(seconds: 60) {
                missed = try await slipway("backup", "alerts", "--environment", env)
                return Self.lines(missed, naming: schedule).contains { $0.contains("backup-missed") }
            }
            #expect(raised, "\(missed)")
            #expect(Self.lines(missed, naming: schedule).contains { $0.contains("did not run") }, "\(missed)")
            let shown = try await slipway("env", "show", env)
            #expect(shown.code == 0, "\(shown)")
            #expect(shown.out.contains("backup-missed: ") && shown.out.contains("backup-failed: "), "\(shown)")

            // The catch-up backup completes (before the world is taken down under it).
            var backups: [Backup] = []
            let caughtUp = try await Self.eventually(seconds: 120) {
                backups = try await store.backups(organizationId: shop.organizationId, environmentId: env).filter {
                    $0.scheduleId == schedule && $0.id != backup
                }
                return !backups.isEmpty && backups.allSatisfy { $0.status == .completed || $0.status == .failed }
            }
            #expect(caughtUp && backups.map(\.status) == [.completed], "\(backups.map { $0.statusReason ?? "" })")
        }
    }
}
