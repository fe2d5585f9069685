import Foundation
import SlipwayCore

extension SQLStore {
    public func createBackupSchedule(_ schedule: BackupSchedule) async throws {
        try await write { connection in
            guard
                try await connection.first(
                    "SELECT id FROM environments WHERE organization_id = ? AND id = ?",
                    [.text(schedule.organizationId), .text(schedule.environmentId)]) != nil
            else {
                throw SlipwayError.invalid(
                    "environmentId", "no environment '\(schedule.environmentId)' in this organization")
            }
            try await Self.requireScheduleTargets(schedule, environmentId: schedule.environmentId, connection)
            let retention = schedule.retention
            try await connection.execute(
                """
                INSERT INTO backup_schedules (id, organization_id, environment_id, instance_id, cron, destination_id,
                    keep_daily, keep_weekly, keep_monthly, verify_after_backup, enabled, status, status_reason,
                    last_due_at, last_run_at, last_backup_id, next_run_at, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                .text(schedule.id), .text(schedule.organizationId), .text(schedule.environmentId),
                .init(schedule.instanceId), .text(schedule.cron), .text(schedule.destinationId),
                .init(retention.keepDaily), .init(retention.keepWeekly), .init(retention.keepMonthly),
                .init(schedule.verifyAfterBackup), .init(schedule.enabled), .text(schedule.status.rawValue),
                .init(schedule.statusReason), .init(schedule.lastDueAt), .init(schedule.lastRunAt),
                .init(schedule.lastBackupId), .init(schedule.nextRunAt), .init(schedule.createdAt),
                .init(schedule.updatedAt))
        }
    }

    public func backupSchedules(organizationId: String, environmentId: String) async throws -> [BackupSchedule] {
        try await read {
            try await $0.query(
                "SELECT * FROM backup_schedules WHERE organization_id = ? AND environment_id = ? ORDER BY created_at, id",
                .text(organizationId), .text(environmentId)
            ).map(BackupSchedule.init)
        }
    }

    public func backupSchedule(organizationId: String, id: String) async throws -> BackupSchedule? {
        try await read { try await Self.backupSchedule(organizationId, id, $0) }
    }

    public func enabledBackupSchedules() async throws -> [BackupSchedule] {
        try await read {
            try await $0.query("SELECT * FROM backup_schedules WHERE enabled = 1 ORDER BY id").map(
                BackupSchedule.init)
        }
    }

    public func updateBackupSchedule(_ schedule: BackupSchedule) async throws -> BackupSchedule? {
        try await write { connection in
            guard let stored = try await Self.backupSchedule(schedule.organizationId, schedule.id, connection) else {
                return nil
            }
            try await Self.requireScheduleTargets(schedule, environmentId: stored.environmentId, connection)
            let retention = schedule.retention
            try await connection.execute(
                """
                UPDATE backup_schedules SET instance_id = ?, cron = ?, destination_id = ?, keep_daily = ?,
                    keep_weekly = ?, keep_monthly = ?, verify_after_backup = ?, enabled = ?, status = ?,
                    status_reason = ?, last_due_at = ?, last_run_at = ?, last_backup_id = ?, next_run_at = ?,
                    updated_at = ?
                WHERE organization_id = ? AND id = ?
                """,
                .init(schedule.instanceId), .text(schedule.cron), .text(schedule.destinationId),
                .init(retention.keepDaily), .init(retention.keepWeekly), .init(retention.keepMonthly),
                .init(schedule.verifyAfterBackup), .init(schedule.enabled), .text(schedule.status.rawValue),
                .init(schedule.statusReason), .init(schedule.lastDueAt), .init(schedule.lastRunAt),
                .init(schedule.lastBackupId), .init(schedule.nextRunAt), .init(schedule.updatedAt),
                .text(schedule.organizationId), .text(schedule.id))
            return try await Self.backupSchedule(schedule.organizationId, schedule.id, connection)
        }
    }

    public func updateBackupScheduleState(_ schedule: BackupSchedule) async throws -> BackupSchedule? {
        try await write { connection in
            try await connection.execute(
                """
                UPDATE backup_schedules SET status = ?, status_reason = ?, last_run_at = ?, last_backup_id = ?,
                    next_run_at = ?, updated_at = ?
                WHERE organization_id = ? AND id = ?
                """,
                .text(schedule.status.rawValue), .init(schedule.statusReason), .init(schedule.lastRunAt),
                .init(schedule.lastBackupId), .init(schedule.nextRunAt), .init(schedule.updatedAt),
                .text(schedule.organizationId), .text(schedule.id))
            return try await Self.backupSchedule(schedule.organizationId, schedule.id, connection)
        }
    }

    public func claimBackupScheduleDue(id: String, previous: Date?, due: Date) async throws -> Bool {
        try await write {
            // One conditional UPDATE: of several control planes claiming the same `previous`, the first to
            // write changes the row and the others match nothing (PostgreSQL re-checks the WHERE after the lock).
            if let previous {
                try await $0.execute(
                    "UPDATE backup_schedules SET last_due_at = ? WHERE id = ? AND last_due_at = ?", .init(due),
                    .text(id), .init(previous)) > 0
            } else {
                try await $0.execute(
                    "UPDATE backup_schedules SET last_due_at = ? WHERE id = ? AND last_due_at IS NULL", .init(due),
                    .text(id)) > 0
            }
        }
    }

    public func deleteBackupSchedule(organizationId: String, id: String) async throws -> Bool {
        try await write {
            try await $0.execute(
                "DELETE FROM backup_schedules WHERE organization_id = ? AND id = ?", .text(organizationId), .text(id))
                > 0
        }
    }

    /// Refuses a destination of another organization, and an instance outside the schedule's environment.
    private static func requireScheduleTargets(
        _ schedule: BackupSchedule, environmentId: String, _ connection: any SQLConnection
    ) async throws {
        try await requireBackupDestination(schedule.organizationId, schedule.destinationId, connection)
        if let instanceId = schedule.instanceId,
            try await connection.first(
                "SELECT id FROM instances WHERE organization_id = ? AND environment_id = ? AND id = ?",
                [.text(schedule.organizationId), .text(environmentId), .text(instanceId)]) == nil
        {
            throw SlipwayError.invalid("instanceId", "no instance '\(instanceId)' in this environment")
        }
    }

    private static func backupSchedule(_ organizationId: String, _ id: String, _ connection: any SQLConnection)
        async throws -> BackupSchedule?
    {
        try await connection.first(
            "SELECT * FROM backup_schedules WHERE organization_id = ? AND id = ?", [.text(organizationId), .text(id)]
        ).map(BackupSchedule.init)
    }
}
