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
