import Foundation
import SlipwayCore

extension SQLStore {
    public func createRestore(_ restore: Restore) async throws {
        try await write {
            try await $0.execute(
                """
                INSERT INTO restores (id, organization_id, environment_id, snapshot_id, instance_id, safety_snapshot,
                    safety_snapshot_id, status, status_reason, steps, created_at, completed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                .text(restore.id), .text(restore.organizationId), .text(restore.environmentId),
                .text(restore.snapshotId), .text(restore.instanceId), .init(restore.safetySnapshot),
                .init(restore.safetySnapshotId), .text(restore.status.rawValue), .init(restore.statusReason),
                try .json(restore.steps), .init(restore.createdAt), .init(restore.completedAt))
        }
    }

    public func restore(organizationId: String, id: String) async throws -> Restore? {
        try await read {
            try await $0.first(
                "SELECT * FROM restores WHERE organization_id = ? AND id = ?", [.text(organizationId), .text(id)]
            ).map(Restore.init)
        }
    }

    public func restores(organizationId: String, environmentId: String) async throws -> [Restore] {
        try await read {
            try await $0.query(
                "SELECT * FROM restores WHERE organization_id = ? AND environment_id = ? ORDER BY created_at DESC, id DESC",
                .text(organizationId), .text(environmentId)
            ).map(Restore.init)
        }
    }

    public func updateRestore(_ restore: Restore) async throws {
        try await write {
            try await $0.execute(
                """
                UPDATE restores SET status = ?, status_reason = ?, safety_snapshot_id = ?, steps = ?, completed_at = ?
                WHERE organization_id = ? AND id = ?
                """,
                .text(restore.status.rawValue), .init(restore.statusReason), .init(restore.safetySnapshotId),
                try .json(restore.steps), .init(restore.completedAt), .text(restore.organizationId), .text(restore.id))
        }
    }
}
