import Foundation
import SlipwayCore

extension SQLStore {
    public func createSnapshot(_ snapshot: Snapshot) async throws {
        try await write {
            try await $0.execute(
                """
                INSERT INTO snapshots (id, organization_id, environment_id, instance_id, kind, status, status_reason, size_bytes,
                    database_sha256, filestore_sha256, pinned, location, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                .text(snapshot.id), .text(snapshot.organizationId), .text(snapshot.environmentId),
                .text(snapshot.instanceId),
                .text(snapshot.kind.rawValue), .text(snapshot.status.rawValue), .init(snapshot.statusReason),
                .init(snapshot.sizeBytes), .init(snapshot.databaseSha256), .init(snapshot.filestoreSha256),
                .init(snapshot.pinned), .init(snapshot.location), .init(snapshot.createdAt))
        }
    }

    public func snapshots(organizationId: String, environmentId: String) async throws -> [Snapshot] {
        try await read {
            try await $0.query(
                "SELECT * FROM snapshots WHERE organization_id = ? AND environment_id = ? ORDER BY created_at DESC, id DESC",
                .text(organizationId), .text(environmentId)
            ).map(Snapshot.init)
        }
    }

    public func snapshot(organizationId: String, id: String) async throws -> Snapshot? {
        try await read {
            try await $0.first(
                "SELECT * FROM snapshots WHERE organization_id = ? AND id = ?", [.text(organizationId), .text(id)]
            )
            .map(Snapshot.init)
        }
    }
}

extension SQLStore {
    /// Writes what a snapshot's run found out: status and reason, sizes, checksums, location, completion.
    public func updateSnapshot(_ snapshot: Snapshot) async throws -> Snapshot? {
        try await write { connection in
            try await connection.execute(
                """
                UPDATE snapshots SET status = ?, status_reason = ?, size_bytes = ?, database_bytes = ?,
                    database_sha256 = ?, filestore_bytes = ?, filestore_sha256 = ?, location = ?, completed_at = ?
                WHERE organization_id = ? AND id = ?
                """,
                .text(snapshot.status.rawValue), .init(snapshot.statusReason), .init(snapshot.sizeBytes),
                .init(snapshot.databaseBytes), .init(snapshot.databaseSha256), .init(snapshot.filestoreBytes),
                .init(snapshot.filestoreSha256), .init(snapshot.location), .init(snapshot.completedAt),
                .text(snapshot.organizationId), .text(snapshot.id))
            return try await connection.first(
                "SELECT * FROM snapshots WHERE organization_id = ? AND id = ?",
                [.text(snapshot.organizationId), .text(snapshot.id)]
            ).map(Snapshot.init)
        }
    }

    public func setSnapshotPinned(organizationId: String, id: String, pinned: Bool) async throws -> Snapshot? {
        try await write { connection in
            try await connection.execute(
                "UPDATE snapshots SET pinned = ? WHERE organization_id = ? AND id = ?", .init(pinned),
                .text(organizationId), .text(id))
            return try await connection.first(
                "SELECT * FROM snapshots WHERE organization_id = ? AND id = ?", [.text(organizationId), .text(id)]
            ).map(Snapshot.init)
        }
    }

    public func deleteSnapshot(organizationId: String, id: String) async throws -> Bool {
        try await write { connection in
            guard
                let row = try await connection.first(
                    "SELECT pinned FROM snapshots WHERE organization_id = ? AND id = ?",
                    [.text(organizationId), .text(id)])
            else { return false }
            guard !(try row.bool("pinned")) else {
                throw SlipwayError(
                    .conflict, code: "snapshot_pinned", message: "the snapshot is pinned: unpin it first to delete it")
            }
            try await connection.execute(
                "DELETE FROM snapshots WHERE organization_id = ? AND id = ?", .text(organizationId), .text(id))
            return true
        }
    }
}
