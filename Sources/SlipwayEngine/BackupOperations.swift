import Crypto
import Foundation
import SlipwayCore
import SlipwayDrivers
import SlipwayStore

/// Backups: a `backup` snapshot of an instance copied to a destination, each part checked against the
/// snapshot's checksum while it is copied and again as read back at the destination. A failure, or a
/// backup much smaller than the one before, raises an alert on the environment and turns the schedule's
/// status to `failing`: never a success message.
public struct BackupOperations: Sendable {
    let snapshots: SnapshotOperations
    /// Below this share of the previous backup's size, a backup raises a `backup-smaller` alert.
    let shrinkAlarm: Double
    /// Local destinations must be in this directory (or below); nil allows any.
    let localRoot: String?

    public init(snapshots: SnapshotOperations, shrinkAlarm: Double = 0.5, localRoot: String? = nil) {
        self.snapshots = snapshots
        self.shrinkAlarm = shrinkAlarm
        self.localRoot = localRoot
    }

    var store: any Store { snapshots.store }
    var secrets: SecretBox { snapshots.instances.secrets }

    /// The names of a backup's files at its destination.
    struct Paths {
        let directory: String
        var dump: String { directory + "/database.dump" }
        var archive: String { directory + "/filestore.tar.gz" }

        init(_ backup: Backup) {
            directory = "\(backup.instanceId)/\(backup.id)"
        }
    }

    // MARK: Running

    /// Runs the backup `backup` (its record exists, `pending`): snapshot, copy, read back, record; then the
    /// schedule's retention and, if the schedule asks, a restore drill. Answers the record as it ended.
    @discardableResult
    public func run(_ backup: Backup) async throws -> Backup {
        var backup = backup
        backup.status = .running
        backup = try await store.updateBackup(backup) ?? backup
        var schedule: BackupSchedule?
        if let id = backup.scheduleId {
            schedule = try await store.backupSchedule(organizationId: backup.organizationId, id: id)
            schedule?.lastRunAt = Date()
            if let current = schedule { schedule = try await store.updateBackupScheduleState(current) ?? current }
        }
        do {
            backup = try await copy(backup)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            backup.status = .failed
            backup.statusReason = "\(error)"
            backup.completedAt = Date()
            backup = try await store.updateBackup(backup) ?? backup
            try await judge(backup, schedule: schedule)
            return backup
        }
        try await judge(backup, schedule: schedule)
        if let schedule {
            try await applyRetention(schedule, instanceId: backup.instanceId)
            if schedule.verifyAfterBackup { backup = try await verify(backup) }
        }
        return backup
    }

    /// Takes the snapshot and copies its parts; throws at the first thing that is not right.
    func copy(_ backup: Backup) async throws -> Backup {
        var backup = backup
        guard
            let destination = try await store.backupDestination(
                organizationId: backup.organizationId, id: backup.destinationId)
        else { throw SnapshotFailure("the backup's destination is gone") }
        guard let instance = try await store.instance(organizationId: backup.organizationId, id: backup.instanceId)
        else { throw SnapshotFailure("the instance is gone") }
        let snapshot = Snapshot(
            organizationId: backup.organizationId, environmentId: backup.environmentId, instanceId: instance.id,
            kind: .backup, statusReason: "backup \(backup.id)")
        try await store.createSnapshot(snapshot)
        backup.snapshotId = snapshot.id
        backup = try await store.updateBackup(backup) ?? backup
        let taken = try await snapshots.take(snapshot)
        guard taken.status == .completed, let dumpSum = taken.databaseSha256 else {
            throw SnapshotFailure("the snapshot failed: \(taken.statusReason ?? "no reason recorded")")
        }
        let context = try await snapshots.context(instance)
        let files = SnapshotOperations.Files(taken.id)
        let paths = Paths(backup)
        let storage = try await open(destination)
        do {
            try await send(files.dump, to: paths.dump, sha256: dumpSum, context, storage)
            if let archiveSum = taken.filestoreSha256 {
                try await send(files.archive, to: paths.archive, sha256: archiveSum, context, storage)
            }
            // Read back at the destination: what is there is what was sent.
            try await expect(paths.dump, sha256: dumpSum, in: storage)
            if let archiveSum = taken.filestoreSha256 {
                try await expect(paths.archive, sha256: archiveSum, in: storage)
            }
            backup.location = storage.describe(paths.directory)
            await storage.close()
        } catch {
            try? await storage.removeDirectory(paths.directory)
            await storage.close()
            throw error
        }
        backup.databaseBytes = taken.databaseBytes
        backup.databaseSha256 = taken.databaseSha256
        backup.filestoreBytes = taken.filestoreBytes
        backup.filestoreSha256 = taken.filestoreSha256
        backup.sizeBytes = taken.sizeBytes
        backup.verifiedAt = Date()
        backup.status = .completed
        backup.statusReason = nil
        backup.completedAt = Date()
        return try await store.updateBackup(backup) ?? backup
    }

    /// Streams one snapshot file from the server's PostgreSQL service container to the destination,
    /// hashing on the way; a checksum other than the snapshot's leaves nothing behind.
    func send(
        _ path: String, to relativePath: String, sha256 expected: String, _ context: SnapshotOperations.Context,
        _ storage: any BackupStorage
    ) async throws {
        try await storage.write(relativePath) { writer in
            var hasher = SHA256()
            try await context.target.docker.readFile(inContainer: context.service.containerName, path: path) {
                hasher.update(data: $0)
                try await writer.write($0)
            }
            let sum = Self.hex(hasher.finalize())
            guard sum == expected else {
                throw SnapshotFailure(
                    "\(relativePath) was sent with checksum \(sum.prefix(12))…, not the snapshot's \(expected.prefix(12))…"
                )
            }
        }
    }

    /// Reads a file back from the destination and checks its sha256.
    func expect(_ relativePath: String, sha256 expected: String, in storage: any BackupStorage) async throws {
        var hasher = SHA256()
        var bytes = 0
        try await storage.read(relativePath) {
            hasher.update(data: $0)
            bytes += $0.count
        }
        let sum = Self.hex(hasher.finalize())
        guard sum == expected else {
            throw SnapshotFailure(
                "\(storage.describe(relativePath)) does not match its checksum (recorded \(expected.prefix(12))…, found \(sum.prefix(12))…, \(bytes) bytes)"
            )
        }
    }

    static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }

    // MARK: Judging

    /// Turns a finished backup into the schedule's status and the environment's alerts: a failure or a
    /// much smaller backup raises one; a good backup clears the failure alerts of its subject.
    func judge(_ backup: Backup, schedule: BackupSchedule?) async throws {
        let subject = backup.scheduleId ?? backup.id
        var problem: (Alert.Kind, String)?
        if backup.status == .failed {
            problem = (.backupFailed, "the backup \(backup.id) failed: \(backup.statusReason ?? "")")
        } else if let previous = try await previousCompleted(before: backup),
            Double(backup.sizeBytes) < Double(previous.sizeBytes) * shrinkAlarm
        {
            problem = (
                .backupSmaller,
                "the backup \(backup.id) is \(backup.sizeBytes) bytes, much smaller than the one before (\(previous.id), \(previous.sizeBytes) bytes): check the instance's data"
            )
        }
        let now = Date()
        if let (kind, message) = problem {
            _ = try await store.raiseAlert(
                Alert(
                    organizationId: backup.organizationId, environmentId: backup.environmentId, kind: kind,
                    subjectId: subject, message: message))
        } else {
            _ = try await store.resolveAlerts(subjectId: subject, kinds: [.backupFailed, .backupSmaller], at: now)
        }
        guard var schedule,
            let current = try await store.backupSchedule(organizationId: schedule.organizationId, id: schedule.id)
        else { return }
        schedule = current
        schedule.status = problem == nil ? .ok : .failing
        schedule.statusReason = problem?.1
        schedule.lastBackupId = backup.id
        schedule.updatedAt = now
        _ = try await store.updateBackupScheduleState(schedule)
    }

    /// The last completed backup of the same instance (and schedule) before `backup`.
    func previousCompleted(before backup: Backup) async throws -> Backup? {
        try await store.backups(organizationId: backup.organizationId, environmentId: backup.environmentId).first {
            $0.id != backup.id && $0.instanceId == backup.instanceId && $0.scheduleId == backup.scheduleId
                && $0.status == .completed && $0.createdAt <= backup.createdAt
        }
    }

    // MARK: Retention and deletion

    /// Removes the backups of `instanceId` the schedule's daily/weekly/monthly retention lets go.
    public func applyRetention(_ schedule: BackupSchedule, instanceId: String) async throws {
        let backups = try await store.backups(
            organizationId: schedule.organizationId, environmentId: schedule.environmentId
        )
        .filter { $0.scheduleId == schedule.id && $0.instanceId == instanceId }
        for backup in schedule.retention.expired(backups) {
            do {
                try await delete(backup)
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                snapshots.instances.logger.warning(
                    "a backup retention let go could not be removed",
                    metadata: ["backup": "\(backup.id)", "error": "\(error)"])
            }
        }
    }

    /// Removes the backup's files at its destination, its snapshot on the server, then its record.
    public func delete(_ backup: Backup) async throws {
        if let destination = try await store.backupDestination(
            organizationId: backup.organizationId, id: backup.destinationId)
        {
            let storage = try await open(destination)
            do {
                try await storage.removeDirectory(Paths(backup).directory)
                await storage.close()
            } catch {
                await storage.close()
                throw error
            }
        }
        if let snapshotId = backup.snapshotId,
            let snapshot = try await store.snapshot(organizationId: backup.organizationId, id: snapshotId),
            !snapshot.pinned
        {
            try await snapshots.delete(snapshot)
        }
        _ = try await store.deleteBackup(organizationId: backup.organizationId, id: backup.id)
    }
}
