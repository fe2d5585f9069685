import Foundation
import SlipwayCore
import SlipwayStore

/// Puts a schedule's backups in the job queue: one `pending` backup record and one `backup.run` job per
/// instance it covers (its instance, or every instance of its environment), on the instance's key so a
/// backup never runs beside that instance's deployment, restart or restore.
public enum BackupQueue {
    public static func enqueue(_ schedule: BackupSchedule, store: any Store, now: Date = Date()) async throws
        -> [Backup]
    {
        let instances = try await store.instances(
            organizationId: schedule.organizationId, environmentId: schedule.environmentId
        ).filter { schedule.instanceId == nil || $0.id == schedule.instanceId }
        var backups: [Backup] = []
        for instance in instances {
            let backup = Backup(
                organizationId: schedule.organizationId, environmentId: schedule.environmentId, instanceId: instance.id,
                scheduleId: schedule.id, destinationId: schedule.destinationId, createdAt: now)
            try await store.createBackup(backup)
            try await store.enqueueJob(
                Job(
                    organizationId: schedule.organizationId, kind: .backupRun, subjectId: backup.id,
                    concurrencyKey: "instance:\(instance.id)", createdAt: now))
            backups.append(backup)
        }
        return backups
    }
}
