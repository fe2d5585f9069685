import Foundation
import SlipwayCore

extension SQLStore {
    public func createBackup(_ backup: Backup) async throws {
        try await write { connection in
            try await Self.requireBackupDestination(backup.organizationId, backup.destinationId, connection)
            try await connection.execute(
                """
                INSERT INTO backups (id, organization_id, environment_id, instance_id, schedule_id, snapshot_id,
                    destination_id, status, status_reason, size_bytes, database_bytes, database_sha256,
                    filestore_bytes, filestore_sha256, location, verified_at, drill_status, drill_report, drill_at,
                    created_at, completed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                .text(backup.id), .text(backup.organizationId), .text(backup.environmentId),
                .text(backup.instanceId), .init(backup.scheduleId), .init(backup.snapshotId),
                .text(backup.destinationId), .text(backup.status.rawValue), .init(backup.statusReason),
                .init(backup.sizeBytes), .init(backup.databaseBytes), .init(backup.databaseSha256),
                .init(backup.filestoreBytes), .init(backup.filestoreSha256), .init(backup.location),
                .init(backup.verifiedAt), .init(backup.drillStatus?.rawValue), .init(backup.drillReport),
                .init(backup.drillAt), .init(backup.createdAt), .init(backup.completedAt))
        }
    }

    public func backups(organizationId: String, environmentId: String) async throws -> [Backup] {
        try await read {
            try await $0.query(
                "SELECT * FROM backups WHERE organization_id = ? AND environment_id = ? ORDER BY created_at DESC, id DESC",
                .text(organizationId), .text(environmentId)
            ).map(Backup.init)
        }
    }

    public func backup(organizationId: String, id: String) async throws -> Backup? {
        try await read { try await Self.backup(organizationId, id, $0) }
    }

    /// Writes what the backup's run and drill found out; its instance, schedule, destination and creation stay.
    public func updateBackup(_ backup: Backup) async throws -> Backup? {
        try await write { connection in
            try await connection.execute(
                """
                UPDATE backups SET snapshot_id = ?, status = ?, status_reason = ?, size_bytes = ?, database_bytes = ?,
                    database_sha256 = ?, filestore_bytes = ?, filestore_sha256 = ?, location = ?, verified_at = ?,
                    drill_status = ?, drill_report = ?, drill_at = ?, completed_at = ?
                WHERE organization_id = ? AND id = ?
                """,
                .init(backup.snapshotId), .text(backup.status.rawValue), .init(backup.statusReason),
                .init(backup.sizeBytes), .init(backup.databaseBytes), .init(backup.databaseSha256),
                .init(backup.filestoreBytes), .init(backup.filestoreSha256), .init(backup.location),
                .init(backup.verifiedAt), .init(backup.drillStatus?.rawValue), .init(backup.drillReport),
                .init(backup.drillAt), .init(backup.completedAt), .text(backup.organizationId), .text(backup.id))
            return try await Self.backup(backup.organizationId, backup.id, connection)
        }
    }

    public func deleteBackup(organizationId: String, id: String) async throws -> Bool {
        try await write {
            try await $0.execute(
                "DELETE FROM backups WHERE organization_id = ? AND id = ?", .text(organizationId), .text(id)) > 0
        }
    }

    private static func backup(_ organizationId: String, _ id: String, _ connection: any SQLConnection)
        async throws -> Backup?
    {
        try await connection.first(
            "SELECT * FROM backups WHERE organization_id = ? AND id = ?", [.text(organizationId), .text(id)]
        ).map(Backup.init)
    }
}
