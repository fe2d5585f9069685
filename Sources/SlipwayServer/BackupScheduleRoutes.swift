import Foundation
import SlipwayCore
import SlipwayEngine

/// An environment's backup schedules: when (cron, UTC), which instances (one, or all of the
/// environment), to which destination, and how many backups stay. The scheduler takes them up; `run`
/// queues their backups at once.
enum BackupScheduleRoutes {
    /// The fields a schedule is made or changed with; only `instanceId` differs (null in a change).
    static func properties(instanceId: Schema) -> [String: Schema] {
        let keep = Schema.integer(minimum: 0, maximum: 1000)
        return [
            "cron": .string(minLength: 1, maxLength: 200), "destinationId": Schemas.id, "instanceId": instanceId,
            "keepDaily": keep, "keepWeekly": keep, "keepMonthly": keep, "verifyAfterBackup": .boolean,
            "enabled": .boolean,
        ]
    }

    struct Create: Decodable {
        var cron: String
        var destinationId: String
        var instanceId: String?
        var keepDaily: Int?
        var keepWeekly: Int?
        var keepMonthly: Int?
        var verifyAfterBackup: Bool?
        var enabled: Bool?
        static let schema = Schema.object(
            properties: BackupScheduleRoutes.properties(instanceId: Schemas.id), required: ["cron", "destinationId"])
    }

    struct Update: Decodable {
        var cron: String?
        var destinationId: String?
        /// Absent: unchanged; null: every instance of the environment; an id: that instance only.
        var instanceId: String??
        var keepDaily: Int?
        var keepWeekly: Int?
        var keepMonthly: Int?
        var verifyAfterBackup: Bool?
        var enabled: Bool?
        static let schema = Schema.object(
            properties: BackupScheduleRoutes.properties(instanceId: .nullable(Schemas.id)))

        enum CodingKeys: String, CodingKey {
            case cron, destinationId, instanceId, keepDaily, keepWeekly, keepMonthly, verifyAfterBackup, enabled
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            cron = try container.decodeIfPresent(String.self, forKey: .cron)
            destinationId = try container.decodeIfPresent(String.self, forKey: .destinationId)
            if container.contains(.instanceId) {
                instanceId = .some(try container.decodeIfPresent(String.self, forKey: .instanceId))
            }
            keepDaily = try container.decodeIfPresent(Int.self, forKey: .keepDaily)
            keepWeekly = try container.decodeIfPresent(Int.self, forKey: .keepWeekly)
            keepMonthly = try container.decodeIfPresent(Int.self, forKey: .keepMonthly)
            verifyAfterBackup = try container.decodeIfPresent(Bool.self, forKey: .verifyAfterBackup)
            enabled = try container.decodeIfPresent(Bool.self, forKey: .enabled)
        }
    }

    /// What `run` answers: the backups it queued.
    struct Queued: Encodable, Sendable {
        var backups: [Backup]
    }

    static let all: [APIRoute] = [
        APIRoute(
            .post, "/api/environments/{environmentId}/backup-schedules", access: .permission(.manage(.backups)),
            summary:
                "Add a backup schedule: cron (five fields or a preset like 'daily at 02:00', UTC), destinationId, "
                + "optional instanceId (default: every instance), keepDaily/keepWeekly/keepMonthly (default 7/4/3)",
            resource: "backups", body: Create.schema, status: .created, response: .reference("BackupSchedule")
        ) { call in
            let environment = try await EnvironmentRoutes.environment(call)
            let input = try call.decode(Create.self)
            let now = call.backend.clock()
            let cron = try parse(input.cron, now: now)
            try await requireDestination(call, environment, input.destinationId)
            if let instanceId = input.instanceId { try await requireInstance(call, environment, instanceId) }
            let retention = BackupRetention(
                keepDaily: try keep(input.keepDaily, "keepDaily", default: 7),
                keepWeekly: try keep(input.keepWeekly, "keepWeekly", default: 4),
                keepMonthly: try keep(input.keepMonthly, "keepMonthly", default: 3))
            let enabled = input.enabled ?? true
            // Taken up as of now: times the cron named before the schedule existed were never missed.
            let schedule = BackupSchedule(
                organizationId: environment.organizationId, environmentId: environment.id,
                instanceId: input.instanceId, cron: input.cron, destinationId: input.destinationId,
                retention: retention, verifyAfterBackup: input.verifyAfterBackup ?? false, enabled: enabled,
                lastDueAt: now, nextRunAt: enabled ? cron.next(after: now) : nil, createdAt: now, updatedAt: now)
            try await call.store.createBackupSchedule(schedule)
            return .json(schedule)
        },
        APIRoute(
            .get, "/api/environments/{environmentId}/backup-schedules", access: .permission(.view(.backups)),
            summary: "The environment's backup schedules, with each one's status and next run", resource: "backups",
            response: Schemas.list("BackupSchedule")
        ) { call in
            let environment = try await EnvironmentRoutes.environment(call)
            return .json(
                ItemList(
                    try await call.store.backupSchedules(
                        organizationId: environment.organizationId, environmentId: environment.id)))
        },
        APIRoute(
            .get, "/api/environments/{environmentId}/backup-schedules/{scheduleId}",
            access: .permission(.view(.backups)),
            summary: "One backup schedule: its status (and why), its last and next run", resource: "backups",
            response: .reference("BackupSchedule")
        ) { call in
            .json(try await schedule(call).schedule)
        },
        update,
        APIRoute(
            .delete, "/api/environments/{environmentId}/backup-schedules/{scheduleId}",
            access: .permission(.manage(.backups)),
            summary: "Delete a backup schedule; the backups it made stay", resource: "backups", status: .noContent,
            response: nil
        ) { call in
            let (_, schedule) = try await schedule(call)
            guard try await call.store.deleteBackupSchedule(organizationId: schedule.organizationId, id: schedule.id)
            else { throw SlipwayError.notFound("backup schedule") }
            return .empty
        },
        APIRoute(
            .post, "/api/environments/{environmentId}/backup-schedules/{scheduleId}/run",
            access: .permission(.manage(.backups)),
            summary:
                "Run a backup schedule now: a pending backup and a backup.run job for its instance, or for each "
                + "instance of the environment (409 when there is none)",
            resource: "backups", status: .accepted,
            response: .object(properties: ["backups": .array(.reference("Backup"))], required: ["backups"])
        ) { call in
            let (environment, schedule) = try await schedule(call)
            let instances = try await call.store.instances(
                organizationId: environment.organizationId, environmentId: environment.id)
            if let instanceId = schedule.instanceId, !instances.contains(where: { $0.id == instanceId }) {
                throw SlipwayError(
                    .conflict, code: "instance_gone",
                    message: "the schedule's instance \(instanceId) no longer exists: point the schedule at another "
                        + "instance, or at every instance of the environment")
            }
            guard !instances.isEmpty else {
                throw SlipwayError(
                    .conflict, code: "no_instance",
                    message: "the environment has no instance to back up: create one first (slipway instance create)")
            }
            return .json(
                Queued(backups: try await BackupQueue.enqueue(schedule, store: call.store, now: call.backend.clock())))
        },
    ]

    static let update = APIRoute(
        .patch, "/api/environments/{environmentId}/backup-schedules/{scheduleId}",
        access: .permission(.manage(.backups)),
        summary:
            "Change a backup schedule: cron, destinationId, instanceId (null: every instance), retention, "
            + "verifyAfterBackup, enabled; a new cron or enabled moves its next run",
        resource: "backups", body: Update.schema, response: .reference("BackupSchedule")
    ) { call in
        let (environment, current) = try await schedule(call)
        let input = try call.decode(Update.self)
        let now = call.backend.clock()
        var schedule = current
        if let text = input.cron {
            _ = try parse(text, now: now)
            schedule.cron = text
        }
        if let destinationId = input.destinationId {
            try await requireDestination(call, environment, destinationId)
            schedule.destinationId = destinationId
        }
        if let instanceId = input.instanceId {
            if let instanceId { try await requireInstance(call, environment, instanceId) }
            schedule.instanceId = instanceId
        }
        schedule.retention = BackupRetention(
            keepDaily: try keep(input.keepDaily, "keepDaily", default: current.retention.keepDaily),
            keepWeekly: try keep(input.keepWeekly, "keepWeekly", default: current.retention.keepWeekly),
            keepMonthly: try keep(input.keepMonthly, "keepMonthly", default: current.retention.keepMonthly))
        schedule.verifyAfterBackup = input.verifyAfterBackup ?? current.verifyAfterBackup
        schedule.enabled = input.enabled ?? current.enabled
        if schedule.cron != current.cron || schedule.enabled != current.enabled {
            // A new cron, or one enabled again, starts from now: the times before were not missed.
            schedule.lastDueAt = now
            schedule.nextRunAt = schedule.enabled ? try parse(schedule.cron, now: now).next(after: now) : nil
        }
        schedule.updatedAt = now
        guard let updated = try await call.store.updateBackupSchedule(schedule) else {
            throw SlipwayError.notFound("backup schedule")
        }
        return .json(updated)
    }

    /// The schedule the path names, in the environment the path names; any other is 404.
    static func schedule(_ call: RouteCall) async throws -> (environment: Environment, schedule: BackupSchedule) {
        let environment = try await EnvironmentRoutes.environment(call)
        guard
            let schedule = try await call.store.backupSchedule(
                organizationId: environment.organizationId, id: try call.parameter("scheduleId")),
            schedule.environmentId == environment.id
        else { throw SlipwayError.notFound("backup schedule") }
        return (environment, schedule)
    }

    /// `text` as a schedule that names a time within the next five years (422 `cron` otherwise).
    static func parse(_ text: String, now: Date) throws -> CronSchedule {
        guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw SlipwayError.invalid("cron", "must be one line without control characters")
        }
        let cron = try CronSchedule(text, field: "cron")
        guard cron.next(after: now) != nil else {
            throw SlipwayError.invalid("cron", "names no time in the next five years (like February 30th)")
        }
        return cron
    }

    static func keep(_ value: Int?, _ field: String, default fallback: Int) throws -> Int {
        let value = value ?? fallback
        guard (0...1000).contains(value) else {
            throw SlipwayError.invalid(field, "must be from 0 to 1000 (got \(value))")
        }
        return value
    }

    static func requireDestination(_ call: RouteCall, _ environment: Environment, _ id: String) async throws {
        guard try await call.store.backupDestination(organizationId: environment.organizationId, id: id) != nil else {
            throw SlipwayError.invalid(
                "destinationId",
                "no backup destination '\(id.prefix(60))' in this organization (slipway backup destination list)")
        }
    }

    static func requireInstance(_ call: RouteCall, _ environment: Environment, _ id: String) async throws {
        guard let instance = try await call.store.instance(organizationId: environment.organizationId, id: id),
            instance.environmentId == environment.id
        else {
            throw SlipwayError.invalid("instanceId", "no instance '\(id.prefix(60))' in this environment")
        }
    }
}

extension BackupSchedule: IdentifiedRecord {}
