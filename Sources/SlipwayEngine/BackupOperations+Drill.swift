import Foundation
import SlipwayCore
import SlipwayDrivers

extension BackupOperations {
    /// A restore drill: the copy at the destination is read back and checked against the backup's
    /// checksums; the same bytes (the server's snapshot files, checked too) are restored into a scratch
    /// database on the server; a check query counts its tables and rows against the dump's table of
    /// contents, and the filestore archive's files are counted; then the scratch database goes. The
    /// verdict and what was found are recorded on the backup; a failed drill raises an alert.
    @discardableResult
    public func verify(_ backup: Backup) async throws -> Backup {
        var backup = backup
        backup.drillStatus = .running
        backup.drillAt = Date()
        backup = try await store.updateBackup(backup) ?? backup
        do {
            backup.drillReport = try await drill(backup)
            backup.drillStatus = .passed
            _ = try await store.resolveAlerts(subjectId: backup.id, kinds: [.drillFailed], at: Date())
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            backup.drillStatus = .failed
            backup.drillReport = "\(error)"
            _ = try await store.raiseAlert(
                Alert(
                    organizationId: backup.organizationId, environmentId: backup.environmentId, kind: .drillFailed,
                    subjectId: backup.id, message: "the restore drill of backup \(backup.id) failed: \(error)"))
        }
        backup.drillAt = Date()
        return try await store.updateBackup(backup) ?? backup
    }

    func drill(_ backup: Backup) async throws -> String {
        guard backup.status == .completed, let dumpSum = backup.databaseSha256 else {
            throw SnapshotFailure("only a completed backup can be drilled")
        }
        guard
            let destination = try await store.backupDestination(
                organizationId: backup.organizationId, id: backup.destinationId)
        else { throw SnapshotFailure("the backup's destination is gone") }
        guard let instance = try await store.instance(organizationId: backup.organizationId, id: backup.instanceId)
        else { throw SnapshotFailure("the instance is gone: no server to drill on") }
        guard let snapshotId = backup.snapshotId else { throw SnapshotFailure("the backup has no snapshot") }

        // 1. The copy at the destination is intact.
        let paths = Paths(backup)
        let storage = try await open(destination)
        do {
            try await expect(paths.dump, sha256: dumpSum, in: storage)
            if let archiveSum = backup.filestoreSha256 {
                try await expect(paths.archive, sha256: archiveSum, in: storage)
            }
            await storage.close()
        } catch {
            await storage.close()
            throw error
        }

        // 2. The server's files are the same bytes.
        let context = try await snapshots.context(instance)
        let files = SnapshotOperations.Files(snapshotId)
        try await snapshots.expect(files.dump, sha256: dumpSum, context.service)
        if let archiveSum = backup.filestoreSha256 {
            try await snapshots.expect(files.archive, sha256: archiveSum, context.service)
        }

        // 3. Restore into a scratch database and look at what came back.
        let scratch = "slipway_drill_\(Identifier.secret(bytes: 6).lowercased())"
        let quoted = try PostgresQuoting.identifier(scratch)
        let listing = try await context.service.run(["pg_restore", "--list", files.dump])
        let listedTables = listing.split(separator: "\n").filter { !$0.hasPrefix(";") && $0.contains(" TABLE DATA ") }
            .count
        var report: [String] = []
        do {
            try await context.service.execute("CREATE DATABASE \(quoted) TEMPLATE template0")
            try await context.service.run([
                "pg_restore", "--no-owner", "--no-acl", "--exit-on-error", "--dbname", scratch, files.dump,
            ])
            let answer = try await context.service.run([
                "psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", scratch, "-c", Self.checkQuery,
            ]).trimmingCharacters(in: .whitespacesAndNewlines)
            let figures = answer.split(separator: "|").map { Int($0) ?? -1 }
            guard figures.count == 2, figures[0] >= 0, figures[1] >= 0 else {
                throw SnapshotFailure("the check query answered '\(answer)'")
            }
            guard figures[0] >= listedTables else {
                throw SnapshotFailure(
                    "the dump lists \(listedTables) tables with data, the scratch database holds \(figures[0])")
            }
            report.append("restored \(figures[0]) tables holding \(figures[1]) rows into a scratch database")
            try await context.service.execute("DROP DATABASE IF EXISTS \(quoted) WITH (FORCE)")
        } catch {
            try? await context.service.execute("DROP DATABASE IF EXISTS \(quoted) WITH (FORCE)")
            throw error
        }
        if backup.filestoreSha256 != nil {
            let entries = try await snapshots.oneOff(
                instance, context, readOnlyFilestore: true, ["tar", "-tzf", files.archiveInOneOff])
            let count = entries.split(separator: "\n").filter { !$0.hasSuffix("/") }.count
            report.append("the filestore archive holds \(count) files")
        }
        report.insert("the copy at \(backup.location ?? "the destination") matches its checksums", at: 0)
        return report.joined(separator: "; ")
    }

    /// Tables outside PostgreSQL's own schemas, and the rows they hold (each counted exactly).
    static let checkQuery = """
        SELECT count(*), coalesce(sum((xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', table_schema, table_name), false, true, '')))[1]::text::bigint), 0) FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
        """
}
