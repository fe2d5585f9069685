import Foundation
import Logging
import ServiceLifecycle
import SlipwayCore
import SlipwayStore

/// Starts backups when their schedules say (a Service), and the snapshot cleanup of every environment
/// with a retention, hourly. Each time a schedule named is taken up by one control plane only (a
/// compare-and-set on the schedule's `lastDueAt`). A time that passed without a backup (the control
/// plane was down, or late by more than `missedAfter`) raises a `backup-missed` alert and turns the
/// schedule `missed`; a catch-up backup runs at once.
public struct BackupScheduler: Service {
    let store: any Store
    let interval: Duration
    let missedAfter: TimeInterval
    let cleanupEvery: TimeInterval
    let logger: Logger

    public init(
        store: any Store, interval: Duration = .seconds(30), missedAfter: TimeInterval = 15 * 60,
        cleanupEvery: TimeInterval = 3600, logger: Logger
    ) {
        self.store = store
        self.interval = interval
        self.missedAfter = missedAfter
        self.cleanupEvery = cleanupEvery
        self.logger = logger
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            var lastCleanup: Date?
            while !Task.isCancelled {
                let now = Date()
                do {
                    try await tick(now: now)
                    if lastCleanup.map({ now.timeIntervalSince($0) >= cleanupEvery }) ?? true {
                        try await enqueueCleanups(now: now)
                        lastCleanup = now
                    }
                } catch {
                    logger.warning("the backup scheduler's pass failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// One pass over the enabled schedules at `now`; answers the backups it queued.
    @discardableResult
    public func tick(now: Date) async throws -> [Backup] {
        var queued: [Backup] = []
        for schedule in try await store.enabledBackupSchedules() {
            do {
                queued += try await take(schedule, now: now)
            } catch {
                logger.warning(
                    "a backup schedule could not be taken up",
                    metadata: ["schedule": "\(schedule.id)", "error": "\(error)"])
            }
        }
        return queued
    }

    func take(_ schedule: BackupSchedule, now: Date) async throws -> [Backup] {
        var schedule = schedule
        let cron = try CronSchedule(schedule.cron)
        let since = schedule.lastDueAt ?? schedule.createdAt
        guard let due = cron.previous(atOrBefore: now), due > since else {
            let next = cron.next(after: now)
            if schedule.nextRunAt != next {
                schedule.nextRunAt = next
                _ = try await store.updateBackupScheduleState(schedule)
            }
            return []
        }
        guard try await store.claimBackupScheduleDue(id: schedule.id, previous: schedule.lastDueAt, due: due) else {
            return []
        }
        var skipped = 0
        var cursor = since
        while let time = cron.next(after: cursor), time < due, skipped < 10_000 {
            skipped += 1
            cursor = time
        }
        let late = now.timeIntervalSince(due) > missedAfter
        schedule.lastDueAt = due
        schedule.nextRunAt = cron.next(after: now)
        schedule.updatedAt = now
        if skipped > 0 || late {
            let when = ISO8601DateFormatter().string(from: skipped > 0 ? cursor : due)
            let message =
                skipped > 0
                ? "\(skipped) scheduled backup\(skipped == 1 ? "" : "s") did not run (the last one due at \(when)); a catch-up backup runs now"
                : "the backup due at \(when) did not start on time (\(Int(now.timeIntervalSince(due) / 60)) minutes late); it runs now"
            schedule.status = .missed
            schedule.statusReason = message
            _ = try await store.raiseAlert(
                Alert(
                    organizationId: schedule.organizationId, environmentId: schedule.environmentId, kind: .backupMissed,
                    subjectId: schedule.id, message: message, createdAt: now))
            logger.warning("a scheduled backup was missed", metadata: ["schedule": "\(schedule.id)"])
        }
        _ = try await store.updateBackupScheduleState(schedule)
        return try await BackupQueue.enqueue(schedule, store: store, now: now)
    }

    /// Queues a `snapshot.cleanup` job for every environment with a snapshot retention.
    public func enqueueCleanups(now: Date) async throws {
        for entry in try await store.environmentsWithSnapshotRetention() {
            try await store.enqueueJob(
                Job(
                    organizationId: entry.organizationId, kind: .snapshotCleanup, subjectId: entry.environmentId,
                    concurrencyKey: "snapshot-cleanup:\(entry.environmentId)", createdAt: now))
        }
    }
}
