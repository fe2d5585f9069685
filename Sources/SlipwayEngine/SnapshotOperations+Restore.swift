import Foundation
import SlipwayCore
import SlipwayDrivers

extension SnapshotOperations {
    /// What a restore did, step by step, and the safety snapshot it took first.
    public struct RestoreReport: Sendable {
        public var safetySnapshotId: String?
        public var steps: [String]
    }

    /// Restores `snapshot` into its own instance, or into `targetId`, another instance of the same project
    /// on the same server (production into staging). Its files are checked against their recorded
    /// checksums first; then, unless `safetySnapshot` is false, the target is snapshotted; then the target
    /// stops, the dump is restored into a fresh database that replaces the old one only once the restore
    /// succeeded, the filestore is replaced, and the target starts again if it ran. A failure before the
    /// swap leaves the target's data as it was, and the target running again.
    ///
    /// `progress` hears each stage's name as it begins (a restore job records them as steps). With
    /// `keepRunning`, the target is not stopped: a rollback restores the data under the old colour, which
    /// keeps answering (its database connections are cut at the swap), and starts the image that goes with
    /// the data beside it.
    public func restore(
        _ snapshot: Snapshot, into targetId: String? = nil, safetySnapshot: Bool = true, keepRunning: Bool = false,
        progress: @Sendable (String) async throws -> Void = { _ in }
    ) async throws -> RestoreReport {
        guard snapshot.status == .completed, let dumpSum = snapshot.databaseSha256 else {
            throw SlipwayError(
                .conflict, code: "snapshot_not_completed", message: "only a completed snapshot can be restored")
        }
        guard
            let source = try await store.instance(organizationId: snapshot.organizationId, id: snapshot.instanceId),
            let target = try await store.instance(
                organizationId: snapshot.organizationId, id: targetId ?? snapshot.instanceId)
        else { throw SlipwayError.notFound("instance") }
        guard target.projectId == source.projectId, target.serverId == source.serverId else {
            throw SlipwayError.invalid(
                "instanceId", "a snapshot restores into an instance of the same project on the same server")
        }
        var report = RestoreReport(safetySnapshotId: nil, steps: [])
        let context = try await context(target)
        let files = Files(snapshot.id)

        // 1. The files are the ones recorded: a changed or truncated file is never restored.
        // The dump is checked before anything is touched; the filestore archive (the larger file) while the
        // dump restores into the fresh database, before the swap: either way, nothing is overwritten by it.
        try await progress("check the snapshot's checksums")
        try await expect(files.dump, sha256: dumpSum, context.service)
        report.steps.append("checked the database dump against its checksum")

        // 2. A safety snapshot of what is about to be overwritten.
        if safetySnapshot {
            try await progress("take a safety snapshot of \(target.name)")
            let safety = Snapshot(
                organizationId: target.organizationId, environmentId: target.environmentId, instanceId: target.id,
                kind: .manual, statusReason: "safety snapshot before restoring \(snapshot.id)")
            try await store.createSnapshot(safety)
            let taken = try await take(safety)
            guard taken.status == .completed else {
                throw SnapshotFailure(
                    "the safety snapshot failed (\(taken.statusReason ?? "")): nothing was restored; retry, or restore without one"
                )
            }
            report.safetySnapshotId = taken.id
            report.steps.append("took the safety snapshot \(taken.id)")
        }

        // 3. Stop, restore into a fresh database, swap.
        let wasRunning = target.status == .running && !keepRunning
        if wasRunning {
            try await progress("stop \(target.name)")
            try await instances.stop(target)
            report.steps.append("stopped \(target.name)")
        }
        let suffix = Identifier.secret(bytes: 4)
        let fresh = "\(context.database)_restore_\(suffix)"
        try await progress("restore the database into a fresh one")
        do {
            try await context.service.execute(
                "CREATE DATABASE \(try PostgresQuoting.identifier(fresh)) OWNER \(try PostgresQuoting.identifier(context.database)) TEMPLATE template0"
            )
            async let archiveChecked: Void = expect(files.archive, sha256: snapshot.filestoreSha256, context.service)
            try await context.service.run([
                "pg_restore", "--no-owner", "--no-acl", "--exit-on-error", "--role=\(context.database)", "--dbname",
                fresh, files.dump,
            ])
            try await archiveChecked
        } catch {
            try? await context.service.execute(
                "DROP DATABASE IF EXISTS \(try PostgresQuoting.identifier(fresh)) WITH (FORCE)")
            if wasRunning { try? await instances.start(target) }
            throw SnapshotFailure("the restore failed, the old data stays: \(error)")
        }
        report.steps.append(
            "restored the database into \(fresh)"
                + (snapshot.filestoreSha256 == nil ? "" : "; checked the filestore archive against its checksum"))
        try await progress("swap the restored database in")
        let old = "\(context.database)_old_\(suffix)"
        try await context.service.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = \(try PostgresQuoting.literal(context.database))"
        )
        try await context.service.execute(
            "ALTER DATABASE \(try PostgresQuoting.identifier(context.database)) RENAME TO \(try PostgresQuoting.identifier(old))"
        )
        try await context.service.execute(
            "ALTER DATABASE \(try PostgresQuoting.identifier(fresh)) RENAME TO \(try PostgresQuoting.identifier(context.database))"
        )
        try await context.service.execute("DROP DATABASE \(try PostgresQuoting.identifier(old)) WITH (FORCE)")
        report.steps.append("swapped it in for the old database")

        // 4. The filestore, then start again.
        if snapshot.filestoreSha256 != nil, target.kind == .odoo {
            try await progress("restore the filestore")
            try await oneOff(
                target, context, readOnlyFilestore: false, ["find", "/filestore", "-mindepth", "1", "-delete"])
            try await oneOff(
                target, context, readOnlyFilestore: false,
                ["tar", "--numeric-owner", "-xzf", files.archiveInOneOff, "-C", "/filestore"])
            // Odoo keeps a database's files under filestore/DATABASE: into another instance they move to its name.
            if let sourceDatabase = source.databaseName, sourceDatabase != context.database {
                try await oneOff(
                    target, context, readOnlyFilestore: false,
                    ["mv", "-T", "/filestore/filestore/\(sourceDatabase)", "/filestore/filestore/\(context.database)"])
            }
            report.steps.append("restored the filestore")
        }
        if wasRunning {
            try await progress("start \(target.name)")
            try await instances.start(
                try await store.instance(organizationId: target.organizationId, id: target.id) ?? target)
            report.steps.append("started \(target.name)")
        }
        return report
    }

    /// Throws unless the file's sha256 is `sha256`; nothing to check when there is none (no filestore).
    func expect(_ path: String, sha256: String?, _ service: DatabaseService) async throws {
        guard let sha256 else { return }
        let found = try await measure(path, service)
        guard found.sha256 == sha256 else {
            throw SnapshotFailure(
                "\(URL(fileURLWithPath: path).lastPathComponent) does not match its checksum (recorded \(sha256.prefix(12))…, found \(found.sha256.prefix(12))…, \(found.bytes) bytes): it changed or is truncated; not restored"
            )
        }
    }
}
