import Crypto
import Foundation
import SlipwayCore
import SlipwayDrivers

extension BackupOperations {
    /// A restore drill: the copy at the destination is read back and checked against the backup's
    /// checksums; the same bytes are restored into a scratch database on the server (the server's
    /// snapshot files when they match, otherwise the destination's copy, streamed to the server while it is
    /// checked); a check query counts its tables and rows against the dump's table of contents, and the
    /// filestore archive's files are counted; then the scratch database (and any fetched copy) goes. The
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
        guard backup.status == .completed, backup.databaseSha256 != nil else {
            throw SnapshotFailure("only a completed backup can be drilled")
        }
        guard
            let destination = try await store.backupDestination(
                organizationId: backup.organizationId, id: backup.destinationId)
        else { throw SnapshotFailure("the backup's destination is gone") }
        guard let instance = try await store.instance(organizationId: backup.organizationId, id: backup.instanceId)
        else { throw SnapshotFailure("the instance is gone: no server to drill on") }
        guard let snapshotId = backup.snapshotId else { throw SnapshotFailure("the backup has no snapshot") }

        // 1. Which bytes get restored: the server's snapshot files when they are the backup's, otherwise
        // (gone with the volume or retention, or changed) the destination's copy, fetched into a scratch
        // directory beside the snapshots and removed afterwards, whatever happens.
        let context = try await snapshots.context(instance)
        let serverFiles = SnapshotOperations.Files(snapshotId)
        let serverProblem = try await problem(with: serverFiles, of: backup, context.service)
        let files =
            serverProblem == nil
            ? serverFiles : SnapshotOperations.Files("drill-\(Identifier.secret(bytes: 6).lowercased())")
        do {
            // 2. The copy at the destination is intact (read back, or checked on its way to the server).
            try await checkDestination(backup, destination, fetchingInto: serverProblem == nil ? nil : files, context)
            // 3. Restore into a scratch database and look at what came back.
            var report = try await restoreAndCount(files, of: backup, instance, context)
            if serverProblem != nil { try await removeScratch(files, context) }
            report.insert("the copy at \(backup.location ?? "the destination") matches its checksums", at: 0)
            if let serverProblem {
                report.insert("the server's copy \(serverProblem): restored from the destination's copy", at: 1)
            }
            return report.joined(separator: "; ")
        } catch {
            if serverProblem != nil { try? await removeScratch(files, context) }
            throw error
        }
    }

    /// Why the server's snapshot files cannot be restored as the backup (`was gone`, `did not match its
    /// checksums`), or nil when they are the backup's bytes; one exec, the paths as its arguments.
    func problem(with files: SnapshotOperations.Files, of backup: Backup, _ service: DatabaseService) async throws
        -> String?
    {
        let expected = [(files.dump, backup.databaseSha256), (files.archive, backup.filestoreSha256)].compactMap {
            path, sum in sum.map { (path, $0) }
        }
        let script = #"for f; do if [ -f "$f" ]; then sha256sum -- "$f"; else echo missing; fi; done"#
        let output = try await service.run(["sh", "-c", script, "slipway-check"] + expected.map(\.0))
        let lines = output.split(separator: "\n")
        guard lines.count == expected.count else {
            throw SnapshotFailure("cannot check the server's copy: \(output.prefix(300))")
        }
        if lines.contains("missing") { return "was gone" }
        for (line, (_, sum)) in zip(lines, expected) where line.split(separator: " ").first.map(String.init) != sum {
            return "did not match its checksums"
        }
        return nil
    }

    /// Reads the backup's files at the destination against their checksums; with `scratch`, streams them
    /// into that directory on the server while reading (made here, owned by `postgres`).
    func checkDestination(
        _ backup: Backup, _ destination: BackupDestination, fetchingInto scratch: SnapshotOperations.Files?,
        _ context: SnapshotOperations.Context
    ) async throws {
        let paths = Paths(backup)
        let parts = [
            (paths.dump, scratch?.dump, backup.databaseSha256, backup.databaseBytes),
            (paths.archive, scratch?.archive, backup.filestoreSha256, backup.filestoreBytes),
        ]
        let storage = try await open(destination)
        do {
            var owner: (uid: Int, gid: Int)?
            if let scratch { owner = try await makeScratch(scratch, context) }
            for (relativePath, target, sum, size) in parts {
                guard let sum else { continue }
                if let target, let owner {
                    guard let size else { throw SnapshotFailure("the backup records no size for \(relativePath)") }
                    try await fetch(relativePath, to: target, size: size, sha256: sum, owner: owner, context, storage)
                } else {
                    try await expect(relativePath, sha256: sum, in: storage)
                }
            }
            await storage.close()
        } catch {
            await storage.close()
            throw error
        }
    }

    /// Makes the scratch directory (0700, owned by `postgres`) and answers `postgres`'s uid and gid. Scratch
    /// directories more than a day old go first: a drill cancelled mid-way (its control plane stopped) could
    /// not remove its own, and no drill runs that long.
    func makeScratch(_ scratch: SnapshotOperations.Files, _ context: SnapshotOperations.Context) async throws -> (
        uid: Int, gid: Int
    ) {
        let output = try await context.service.run(
            [
                "sh", "-c",
                #"find "$2" -mindepth 1 -maxdepth 1 -type d -name 'drill-*' -mmin +1440 -exec rm -rf -- {} + ; "#
                    + #"install -d -o postgres -m 0700 -- "$1" && id -u postgres && id -g postgres"#,
                "slipway-scratch", scratch.directory, DatabaseService.snapshotDirectory,
            ], user: "root")
        let ids = output.split(separator: "\n").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard ids.count == 2 else { throw SnapshotFailure("cannot make a scratch directory: \(output.prefix(300))") }
        return (ids[0], ids[1])
    }

    /// Streams one file from the destination into the server's scratch directory, hashing on the way; a
    /// checksum other than the backup's fails before the file is in place.
    func fetch(
        _ relativePath: String, to path: String, size: Int, sha256 expected: String, owner: (uid: Int, gid: Int),
        _ context: SnapshotOperations.Context, _ storage: any BackupStorage
    ) async throws {
        let described = storage.describe(relativePath)
        try await context.target.docker.writeFile(
            inContainer: context.service.containerName, path: path, size: size, mode: 0o600, owner: owner
        ) { writer in
            var hasher = SHA256()
            var bytes = 0
            try await storage.read(relativePath) {
                bytes += $0.count
                guard bytes <= size else {
                    throw SnapshotFailure("\(described) holds more than the recorded \(size) bytes")
                }
                hasher.update(data: $0)
                try await writer.write($0)
            }
            let sum = Self.hex(hasher.finalize())
            guard sum == expected else {
                throw SnapshotFailure(
                    "\(described) does not match its checksum (recorded \(expected.prefix(12))…, found \(sum.prefix(12))…, \(bytes) bytes)"
                )
            }
        }
    }

    func removeScratch(_ scratch: SnapshotOperations.Files, _ context: SnapshotOperations.Context) async throws {
        guard scratch.snapshotId.hasPrefix("drill-") else { return }
        try await context.service.run(["rm", "-rf", "--", scratch.directory], user: "root")
    }

    /// Restores the dump into a scratch database (dropped again, also on failure), checks its tables and
    /// rows against the dump's table of contents, and counts the filestore archive's files.
    func restoreAndCount(
        _ files: SnapshotOperations.Files, of backup: Backup, _ instance: Instance,
        _ context: SnapshotOperations.Context
    ) async throws -> [String] {
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
        return report
    }

    /// Tables outside PostgreSQL's own schemas, and the rows they hold (each counted exactly).
    static let checkQuery = """
        SELECT count(*), coalesce(sum((xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', table_schema, table_name), false, true, '')))[1]::text::bigint), 0) FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
        """
}
