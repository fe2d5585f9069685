import Foundation
import SlipwayCore

/// An environment's backups: each a `backup` snapshot of one instance copied to a destination, with its
/// checksums as read back there and the last restore drill's verdict. Running and drilling them is the
/// engine's `backup.run` and `backup.verify` jobs.
enum BackupRoutes {
    static let all: [APIRoute] = [
        APIRoute(
            .get, "/api/environments/{environmentId}/backups", access: .permission(.view(.backups)),
            summary: "The environment's backups, newest first", resource: "backups", response: Schemas.list("Backup")
        ) { call in
            let environment = try await EnvironmentRoutes.environment(call)
            return .json(
                ItemList(
                    try await call.store.backups(
                        organizationId: environment.organizationId, environmentId: environment.id)))
        },
        APIRoute(
            .get, "/api/environments/{environmentId}/backups/{backupId}", access: .permission(.view(.backups)),
            summary: "One backup: its status (and why), sizes, checksums, where it is, and its last drill",
            resource: "backups", response: .reference("Backup")
        ) { call in
            .json(try await backup(call))
        },
        APIRoute(
            .post, "/api/environments/{environmentId}/backups/{backupId}/verify",
            access: .permission(.manage(.backups)),
            summary:
                "Queue a restore drill of a completed backup (409 otherwise): the copy is read back and checked, "
                + "restored into a scratch database on the instance's server and counted; the verdict lands in "
                + "drillStatus and drillReport",
            resource: "backups", status: .accepted, response: .reference("Backup")
        ) { call in
            var backup = try await backup(call)
            guard backup.status == .completed else {
                throw SlipwayError(
                    .conflict, code: "backup_not_completed",
                    message: "backup \(backup.id) is \(backup.status.rawValue): only a completed backup can be "
                        + "drilled")
            }
            guard backup.drillStatus != .running else {
                throw SlipwayError(
                    .conflict, code: "drill_running",
                    message: "a drill of backup \(backup.id) is already queued or running: wait for its verdict")
            }
            backup.drillStatus = .running
            backup.drillReport = nil
            guard let queued = try await call.store.updateBackup(backup) else {
                throw SlipwayError.notFound("backup")
            }
            // On the instance's key: the drill restores on its server, never beside its deployment or restore.
            try await call.store.enqueueJob(
                Job(
                    organizationId: backup.organizationId, kind: .backupVerify, subjectId: backup.id,
                    concurrencyKey: "instance:\(backup.instanceId)", createdAt: call.backend.clock()))
            return .json(queued)
        },
        APIRoute(
            .delete, "/api/environments/{environmentId}/backups/{backupId}", access: .permission(.manage(.backups)),
            summary:
                "Delete a backup: its files at the destination, its snapshot on the server (unless pinned), then "
                + "its record; refused (409) while it runs or is drilled",
            resource: "backups", status: .noContent, response: nil
        ) { call in
            let backup = try await backup(call)
            guard backup.status != .running, backup.status != .pending, backup.drillStatus != .running else {
                throw SlipwayError(
                    .conflict, code: "backup_running",
                    message: "backup \(backup.id) is being made or drilled: delete it once that has ended")
            }
            try await SnapshotRoutes.onServer("the backup's destination or server did not answer; it stays") {
                try await call.backend.backups.delete(backup)
            }
            return .empty
        }.reachingServer(),
    ]

    /// The backup the path names, in the environment the path names; any other is 404.
    static func backup(_ call: RouteCall) async throws -> Backup {
        let environment = try await EnvironmentRoutes.environment(call)
        guard
            let backup = try await call.store.backup(
                organizationId: environment.organizationId, id: try call.parameter("backupId")),
            backup.environmentId == environment.id
        else { throw SlipwayError.notFound("backup") }
        return backup
    }
}

extension Backup: IdentifiedRecord {}
