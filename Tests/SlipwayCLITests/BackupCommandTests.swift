import Foundation
import SlipwayCore
import SlipwayTesting
import Testing

@testable import SlipwayCLI

/// `slipway backup` and `slipway snapshot retention` in-process against a live control plane without a
/// job runner: what is sent, what is printed, what is refused. Where a command waits on a job, the test
/// plays the job runner through the store; running and drilling backups is the engine's business.
@Suite("backup commands")
struct BackupCommandTests {
    typealias Fixture = InstanceCommandTests.Fixture

    /// `backup destination add --local DIRECTORY/NAME --json` and the destination it answered.
    static func localDestination(_ cli: InProcessCLI, _ directory: TemporaryDirectory, name: String = "Vault")
        async throws -> BackupDestination
    {
        let added = await cli.run([
            "backup", "destination", "add", "--name", name, "--local", "\(directory.path)/\(name)", "--json",
        ])
        try #require(added.code == 0, "\(added.err)")
        return try JSONCoding.decoder().decode(BackupDestination.self, from: Data(added.out.utf8))
    }

    /// `backup schedule add ... --json` and the schedule it answered.
    static func schedule(_ cli: InProcessCLI, _ fixture: Fixture, destination: String, _ extra: [String] = [])
        async throws -> BackupSchedule
    {
        let added = await cli.run(
            [
                "backup", "schedule", "add", "--environment", fixture.environmentId, "--destination", destination,
                "--cron", "daily at 02:00", "--json",
            ] + extra)
        try #require(added.code == 0, "\(added.err)")
        return try JSONCoding.decoder().decode(BackupSchedule.self, from: Data(added.out.utf8))
    }

    /// A backup record of `instanceId` as a finished `backup.run` job leaves it.
    static func backup(
        _ plane: TestControlPlane, _ fixture: Fixture, instanceId: String, destinationId: String,
        status: Backup.Status = .completed
    ) async throws -> Backup {
        var backup = Backup(
            organizationId: plane.organization.id, environmentId: fixture.environmentId, instanceId: instanceId,
            destinationId: destinationId)
        try await plane.store.createBackup(backup)
        guard status == .completed else { return backup }
        backup.status = .completed
        backup.sizeBytes = 3 * 1024 * 1024
        backup.databaseBytes = 3 * 1024 * 1024
        backup.databaseSha256 = String(repeating: "d", count: 64)
        backup.verifiedAt = Date()
        backup.location = "/backups/\(instanceId)/\(backup.id)"
        backup.completedAt = Date()
        return try #require(try await plane.store.updateBackup(backup))
    }

    /// Runs the CLI while playing a `kind` job on a backup: `change` leaves the backup as the job would,
    /// and answers how the job ends.
    static func playing(
        _ plane: TestControlPlane, _ kind: Job.Kind, _ cli: InProcessCLI, _ arguments: [String],
        _ change: @escaping @Sendable (inout Backup) -> Job.Status
    ) async throws -> (code: Int32, out: String, err: String) {
        let store = plane.store
        return try await SnapshotCommandTests.playingRunner(plane, kind: kind, cli: cli, arguments) { job in
            var record = try #require(try await store.backup(organizationId: job.organizationId, id: job.subjectId))
            let status = change(&record)
            _ = try await store.updateBackup(record)
            return status
        }
    }

    @Test("destination add --local makes the directory, --sftp sends the key once; refusals name the option")
    func destinations() async throws {
        try await ServerCommandTests.withCLI { plane, cli, directory in
            let local = try await Self.localDestination(cli, directory)
            #expect(local.kind == .local && FileManager.default.fileExists(atPath: directory.path + "/Vault"))

            let keyPath = directory.path + "/id_ed25519"
            let passphrasePath = directory.path + "/passphrase"
            try Data(ServerCommandTests.key.utf8).write(to: URL(fileURLWithPath: keyPath))
            try Data("correct horse\n".utf8).write(to: URL(fileURLWithPath: passphrasePath))
            let sftp = await cli.run([
                "backup", "destination", "add", "--name", "Offsite", "--sftp", "backup@vault.example.test:2222:/srv/b",
                "--key-file", keyPath, "--passphrase-file", passphrasePath, "--no-check",
            ])
            try #require(sftp.code == 0, "\(sftp.err)")
            #expect(!sftp.out.contains("OPENSSH") && !sftp.out.contains("correct horse"))
            #expect(sftp.out.contains("set (never shown)") && sftp.out.contains("not pinned yet"), "\(sftp.out)")
            let stored = try #require(
                try await plane.store.backupDestinations(organizationId: plane.organization.id).first {
                    $0.kind == .sftp
                })
            #expect(stored.host == "vault.example.test" && stored.port == 2222 && stored.username == "backup")
            #expect(stored.path == "/srv/b")
            let sealed = try await plane.store.encryptedBackupDestinationKey(
                organizationId: plane.organization.id, id: stored.id)
            #expect(try sealed.passphrase.map(plane.backend.secrets.open) == "correct horse")

            let list = await cli.run(["backup", "destination", "list"])
            #expect(list.out.contains("sftp://backup@vault.example.test:2222/srv/b"), "\(list.out)")
            #expect(list.out.contains(directory.path + "/Vault"), "\(list.out)")

            for arguments in [
                ["--name", "X1", "--sftp", "vault.example.test:/srv", "--key-file", keyPath],
                ["--name", "X2", "--sftp", "backup@vault.example.test:/srv"],
                ["--name", "X3", "--local", "/srv/b", "--sftp", "backup@vault.example.test:/srv"],
                ["--name", "X4", "--local", "relative/dir"],
                ["--name", "X5", "--local", "/srv/b", "--key-file", keyPath],
                ["--name", "X6", "--local", "/srv/b", "--no-check"],
            ] {
                let refused = await cli.run(["backup", "destination", "add"] + arguments)
                #expect(refused.code == 2, "\(arguments): \(refused.err)")
            }
            let file = directory.path + "/a-file"
            try Data("x".utf8).write(to: URL(fileURLWithPath: file))
            let unwritable = await cli.run(["backup", "destination", "add", "--name", "Bad", "--local", file + "/b"])
            #expect(unwritable.code == 1)
            #expect(unwritable.err.contains("(field: path)") && unwritable.err.contains("--local or --sftp"))
            #expect(unwritable.err.contains("not a directory"), "\(unwritable.err)")

            let unconfirmed = await cli.run(["backup", "destination", "remove", stored.id])
            #expect(unconfirmed.code == 2 && unconfirmed.err.contains("add --yes"), "\(unconfirmed.err)")
            let removed = await cli.run(["backup", "destination", "remove", stored.id, "--yes"])
            #expect(removed.code == 0 && removed.out.contains("Removed backup destination"), "\(removed.err)")
            let missing = await cli.run(["backup", "destination", "show", stored.id])
            #expect(missing.code == 1 && missing.err.contains("slipway backup destination list"), "\(missing.err)")

            // Checked right after it is added: nothing listens there, so it fails, and the destination stays.
            let port = try LoopbackSocket.freePort()
            let unchecked = await cli.run([
                "backup", "destination", "add", "--name", "Closed", "--sftp", "backup@127.0.0.1:\(port):/srv/b",
                "--key-file", keyPath, "--passphrase-file", passphrasePath,
            ])
            let kept = try #require(
                try await plane.store.backupDestinations(organizationId: plane.organization.id).first {
                    $0.name == "Closed"
                })
            #expect(unchecked.code == 1, "\(unchecked.err)")
            #expect(unchecked.out.contains(kept.id), "the destination is shown: \(unchecked.out)")
            #expect(unchecked.err.contains("cannot be reached") && unchecked.err.contains("(field: host)"))
            #expect(
                unchecked.err.contains("fix it, then: slipway backup destination check \(kept.id)"), "\(unchecked.err)")
            let again = await cli.run(["backup", "destination", "check", kept.id])
            #expect(again.code == 1 && again.err.contains("fix it, then:"), "\(again.err)")
            let checked = await cli.run(["backup", "destination", "check", local.id])
            #expect(checked.code == 0 && checked.out.contains("works"), "\(checked.err)")
        }
    }

    @Test("schedule add, list, show; run queues a backup per instance and --wait reports how each ended")
    func schedules() async throws {
        try await ServerCommandTests.withCLI { plane, cli, directory in
            let fixture = try await InstanceCommandTests.fixture(plane)
            let env = fixture.environmentId
            let destination = try await Self.localDestination(cli, directory)

            let badCron = await cli.run([
                "backup", "schedule", "add", "--env", env, "--destination", destination.id, "--cron", "at noon",
            ])
            #expect(badCron.code == 2 && badCron.err.contains("--cron"), "\(badCron.err)")
            let unknown = await cli.run([
                "backup", "schedule", "add", "--env", env, "--destination", "dst_nope", "--cron", "daily",
            ])
            #expect(unknown.code == 1 && unknown.err.contains("check the value of --destination"), "\(unknown.err)")

            let added = await cli.run([
                "backup", "schedule", "add", "--env", env, "--destination", destination.id, "--cron", "daily at 02:00",
                "--keep-daily", "14", "--verify",
            ])
            try #require(added.code == 0, "\(added.err)")
            #expect(added.err.contains("The first backup runs at") && added.err.contains("T02:00:00Z"), "\(added.err)")
            let schedule = try #require(
                try await plane.store.backupSchedules(organizationId: plane.organization.id, environmentId: env).first)
            #expect(schedule.retention == BackupRetention(keepDaily: 14) && schedule.verifyAfterBackup)
            let list = await cli.run(["backup", "schedule", "list", "--env", env])
            #expect(list.out.contains("14d/4w/3m") && list.out.contains("daily at 02:00"), "\(list.out)")
            let shown = await cli.run(["backup", "schedule", "show", "--env", env, schedule.id])
            #expect(shown.out.contains("every instance of the environment"), "\(shown.out)")

            let none = await cli.run(["backup", "schedule", "run", "--env", env, schedule.id])
            #expect(none.code == 1 && none.err.contains("slipway instance create"), "\(none.err)")

            let instance = try await InstanceCommandTests.create(cli, fixture)
            try await SnapshotCommandTests.finishNext(plane, .instanceProvision)
            let ran = await cli.run(["backup", "schedule", "run", "--env", env, schedule.id])
            #expect(ran.code == 0 && ran.err.contains("Queued 1 backup"), "\(ran.err)")
            let backup = try #require(
                try await plane.store.backups(organizationId: plane.organization.id, environmentId: env).first)
            #expect(ran.out.contains(backup.id) && ran.out.contains("pending"), "\(ran.out)")
            let jobs = try await plane.store.jobs(organizationId: plane.organization.id, subjectId: backup.id)
            #expect(jobs.map(\.kind) == [.backupRun] && jobs.first?.concurrencyKey == "instance:\(instance.id)")
            try await SnapshotCommandTests.finishNext(plane, .backupRun)

            let arguments = ["backup", "schedule", "run", "--env", env, schedule.id, "--wait"]
            let completed = try await Self.playing(plane, .backupRun, cli, arguments) { record in
                record.status = .completed
                record.sizeBytes = 2048
                record.location = "/backups/x"
                return .completed
            }
            #expect(completed.code == 0, "\(completed.err)")
            #expect(completed.out.contains("of instance \(instance.id) completed: 2.0 KiB at /backups/x"))
            let failed = try await Self.playing(plane, .backupRun, cli, arguments) { record in
                record.status = .failed
                record.statusReason = "the copy's sha256 does not match"
                return .failed
            }
            #expect(failed.code == 1, "\(failed.err)")
            #expect(failed.out.contains("failed: the copy's sha256 does not match"), "\(failed.out)")

            let inUse = await cli.run(["backup", "destination", "remove", destination.id, "--yes"])
            #expect(inUse.code == 1 && inUse.err.contains("remove the schedules that use it"), "\(inUse.err)")
            let removed = await cli.run(["backup", "schedule", "remove", "--env", env, schedule.id, "--yes"])
            #expect(removed.code == 0, "\(removed.err)")
            #expect(
                try await plane.store.backupSchedules(organizationId: plane.organization.id, environmentId: env).isEmpty
            )
        }
    }

    @Test("backup list marks verified copies and drills; verify --wait prints the drill report, exit 1 if it failed")
    func listAndVerify() async throws {
        try await ServerCommandTests.withCLI { plane, cli, directory in
            let fixture = try await InstanceCommandTests.fixture(plane)
            let env = fixture.environmentId
            let destination = try await Self.localDestination(cli, directory)
            let instance = try await InstanceCommandTests.create(cli, fixture)
            try await SnapshotCommandTests.finishNext(plane, .instanceProvision)
            let pending = try await Self.backup(
                plane, fixture, instanceId: instance.id, destinationId: destination.id, status: .pending)
            let done = try await Self.backup(plane, fixture, instanceId: instance.id, destinationId: destination.id)

            let list = await cli.run(["backup", "list", "--environment", env])
            let lines = list.out.split(separator: "\n").map(String.init)
            #expect(lines.first?.hasPrefix("ID") == true && lines.first?.contains("VERIFIED  DRILL") == true)
            let doneLine = try #require(lines.first { $0.contains(done.id) }, "\(list.out)")
            #expect(doneLine.contains("completed") && doneLine.contains("3.0 MiB") && doneLine.contains("✓"))
            #expect(lines.first { $0.contains(pending.id) }?.contains("✗") == true, "\(list.out)")
            let shown = await cli.run(["backup", "show", "--environment", env, done.id])
            #expect(shown.out.contains(String(repeating: "d", count: 64)) && shown.out.contains("none yet"))

            let early = await cli.run(["backup", "verify", "--environment", env, pending.id])
            #expect(early.code == 1 && early.err.contains("slipway backup show --environment \(env) \(pending.id)"))

            let arguments = ["backup", "verify", "--environment", env, done.id, "--wait"]
            let passed = try await Self.playing(plane, .backupVerify, cli, arguments) { record in
                record.drillStatus = .passed
                record.drillReport = "checksums match\n42 tables, 1234 rows restored"
                return .completed
            }
            #expect(passed.code == 0, "\(passed.err)")
            #expect(passed.out.contains("drill of backup \(done.id): passed"), "\(passed.out)")
            #expect(passed.out.contains("  42 tables, 1234 rows restored"), "\(passed.out)")
            let failed = try await Self.playing(plane, .backupVerify, cli, arguments) { record in
                record.drillStatus = .failed
                record.drillReport = "pg_restore exited 1"
                return .failed
            }
            #expect(failed.code == 1 && failed.out.contains("failed") && failed.out.contains("pg_restore exited 1"))
            let drilled = await cli.run(["backup", "list", "--environment", env])
            #expect(drilled.out.split(separator: "\n").first { $0.contains(done.id) }?.contains("failed") == true)
        }
    }

    @Test("alerts are listed, shown by env show, and resolved by hand")
    func alerts() async throws {
        try await ServerCommandTests.withCLI { plane, cli, _ in
            let fixture = try await InstanceCommandTests.fixture(plane)
            let env = fixture.environmentId
            let quiet = await cli.run(["env", "show", env])
            #expect(quiet.code == 0 && quiet.out.contains("none open"), "\(quiet.out)")
            let alert = try await plane.store.raiseAlert(
                Alert(
                    organizationId: plane.organization.id, environmentId: env, kind: .backupFailed,
                    subjectId: "bak_x", message: "the nightly backup of shop-web failed"))

            let shown = await cli.run(["env", "show", env])
            #expect(shown.out.contains("1 open (slipway backup alerts --env \(env))"), "\(shown.out)")
            #expect(shown.out.contains("backup-failed: the nightly backup of shop-web failed"), "\(shown.out)")
            let json = await cli.run(["env", "show", env, "--json"])
            #expect(try JSONCoding.decoder().decode(SlipwayCore.Environment.self, from: Data(json.out.utf8)).id == env)

            let listed = await cli.run(["backup", "alerts", "--environment", env])
            #expect(listed.out.contains(alert.id) && listed.out.contains("open"), "\(listed.out)")
            let resolved = await cli.run(["backup", "resolve", "--environment", env, alert.id])
            #expect(resolved.code == 0 && resolved.out.contains("resolvedAt:"), "\(resolved.err)")
            #expect(await cli.run(["backup", "alerts", "--environment", env]).out == "No alerts.")
            let all = await cli.run(["backup", "alerts", "--environment", env, "--all"])
            #expect(all.out.contains(alert.id), "\(all.out)")
            let missing = await cli.run(["backup", "resolve", "--environment", env, "alr_nope"])
            #expect(missing.code == 1 && missing.err.contains("slipway backup alerts --environment \(env) --all"))
        }
    }

    @Test("snapshot retention shows the rules, sets the ones given, keeps the others, and clears")
    func retention() async throws {
        try await ServerCommandTests.withCLI { plane, cli, _ in
            let fixture = try await InstanceCommandTests.fixture(plane)
            let env = fixture.environmentId
            func rules() async throws -> SnapshotRetention {
                try await plane.store.snapshotRetention(organizationId: plane.organization.id, environmentId: env)
            }
            let initial = await cli.run(["snapshot", "retention", "--environment", env])
            #expect(initial.code == 0 && initial.out.contains("every snapshot stays until deleted"), "\(initial.out)")

            let last = await cli.run(["snapshot", "retention", "--environment", env, "--keep-last", "5"])
            #expect(last.code == 0 && last.out.contains("each instance's last 5 completed snapshots"), "\(last.err)")
            _ = await cli.run(["snapshot", "retention", "--environment", env, "--keep-days", "30"])
            #expect(try await rules() == SnapshotRetention(keepLast: 5, keepDays: 30), "a rule not given is kept")
            _ = await cli.run(["snapshot", "retention", "--environment", env, "--clear", "--keep-days", "7"])
            #expect(try await rules() == SnapshotRetention(keepDays: 7))
            let json = await cli.run(["snapshot", "retention", "--environment", env, "--json"])
            #expect(json.out.contains("\"keepLast\" : null") && json.out.contains("\"keepDays\" : 7"), "\(json.out)")
            _ = await cli.run(["snapshot", "retention", "--environment", env, "--clear"])
            #expect(try await rules() == SnapshotRetention())

            let refused = await cli.run(["snapshot", "retention", "--environment", env, "--keep-last", "0"])
            #expect(refused.code == 2 && refused.err.contains("--keep-last must be from 1 to 10000"), "\(refused.err)")
            let elsewhere = await cli.run(["snapshot", "retention", "--environment", "env_nope"])
            #expect(elsewhere.code == 1)
        }
    }

    @Test func sftpTargets() throws {
        func parts(_ text: String) throws -> [String] {
            let target = try BackupCommand.DestinationAdd.SFTPTarget(text)
            return [target.username, target.host, String(target.port), target.path]
        }
        #expect(try parts("backup@vault.example.test:/srv/b") == ["backup", "vault.example.test", "22", "/srv/b"])
        #expect(try parts("b@10.0.0.9:2222:/srv") == ["b", "10.0.0.9", "2222", "/srv"])
        #expect(try parts("b@[fd00::1]:/srv") == ["b", "fd00::1", "22", "/srv"])
        #expect(try parts("b@[fd00::1]:2200:/x:/y") == ["b", "fd00::1", "2200", "/x:/y"])
        for bad in ["vault:/srv", "b@vault", "b@vault:srv", "b@vault:99999:/srv", "b@[fd00::1:/srv", "-o@h:/x"] {
            #expect(throws: (any Error).self, "\(bad)") { try parts(bad) }
        }
    }
}
