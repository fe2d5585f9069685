import Foundation
import SlipwayCore

extension SQLStore {
    public func snapshotRetention(organizationId: String, environmentId: String) async throws -> SnapshotRetention {
        try await read {
            try await Self.snapshotRetention(organizationId, environmentId, $0) ?? SnapshotRetention()
        }
    }

    public func setSnapshotRetention(
        organizationId: String, environmentId: String, _ retention: SnapshotRetention
    ) async throws -> SnapshotRetention? {
        try await write {
            try await $0.execute(
                "UPDATE environments SET snapshot_keep_last = ?, snapshot_keep_days = ? WHERE organization_id = ? AND id = ?",
                .init(retention.keepLast), .init(retention.keepDays), .text(organizationId), .text(environmentId))
            return try await Self.snapshotRetention(organizationId, environmentId, $0)
        }
    }

    public func environmentsWithSnapshotRetention() async throws -> [(
        organizationId: String, environmentId: String, retention: SnapshotRetention
    )] {
        try await read {
            try await $0.query(
                """
                SELECT organization_id, id, snapshot_keep_last, snapshot_keep_days FROM environments
                WHERE snapshot_keep_last IS NOT NULL OR snapshot_keep_days IS NOT NULL ORDER BY organization_id, id
                """
            ).map {
                (
                    organizationId: try $0.string("organization_id"), environmentId: try $0.string("id"),
                    retention: try SnapshotRetention($0)
                )
            }
        }
    }

    /// Nil when the organization has no such environment.
    private static func snapshotRetention(
        _ organizationId: String, _ environmentId: String, _ connection: any SQLConnection
    ) async throws -> SnapshotRetention? {
        try await connection.first(
            "SELECT snapshot_keep_last, snapshot_keep_days FROM environments WHERE organization_id = ? AND id = ?",
            [.text(organizationId), .text(environmentId)]
        ).map(SnapshotRetention.init)
    }
}
