import ArgumentParser
import SlipwayCore

extension BackupCommand {
    /// `slipway backup schedule add --environment ENV --destination DST --cron "daily at 02:00" [--instance ID]
    /// [--keep-daily 7] [--keep-weekly 4] [--keep-monthly 3] [--verify]`
    struct ScheduleAdd: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add a backup schedule to an environment.",
            discussion: """
                --cron takes five cron fields (minute hour day month weekday, UTC), like "30 1 * * 1-5", or a \
                preset: hourly, daily (02:00), "daily at HH:MM", weekly (Sunday 02:00), monthly (the 1st, 02:00). \
                The first backup runs at the next time it names; `slipway backup schedule run` runs one now.
                """,
            aliases: ["create"])

        @OptionGroup var environment: EnvironmentOption

        @Option(help: ArgumentHelp("The backup destination's id (dst_...).", valueName: "id"))
        var destination: String

        @Option(
            help: ArgumentHelp("When: five cron fields or a preset like \"daily at 02:00\" (UTC).", valueName: "when"))
        var cron: String

        @Option(help: ArgumentHelp("Only this instance of the environment (ins_...); default: all.", valueName: "id"))
        var instance: String?

        @Option(help: ArgumentHelp("Keep the newest backup of each of the last N days.", valueName: "n"))
        var keepDaily = 7

        @Option(help: ArgumentHelp("Keep the newest backup of each of the last N weeks.", valueName: "n"))
        var keepWeekly = 4

        @Option(help: ArgumentHelp("Keep the newest backup of each of the last N months.", valueName: "n"))
        var keepMonthly = 3

        @Flag(help: "Run a restore drill on each backup once it is copied.")
        var verify = false

        @OptionGroup var options: GlobalOptions

        struct Body: Encodable {
            var cron: String
            var destinationId: String
            var instanceId: String?
            var keepDaily: Int
            var keepWeekly: Int
            var keepMonthly: Int
            var verifyAfterBackup: Bool
        }

        func validate() throws {
            try checkArgument { _ = try CronSchedule(cron, field: "--cron") }
            for (flag, value) in [
                ("--keep-daily", keepDaily), ("--keep-weekly", keepWeekly), ("--keep-monthly", keepMonthly),
            ]
            where !(0...1000).contains(value) {
                throw ValidationError("\(flag) must be from 0 to 1000 (got \(value))")
            }
        }

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let env = self.environment.environment
            let body = Body(
                cron: cron, destinationId: destination, instanceId: instance, keepDaily: keepDaily,
                keepWeekly: keepWeekly, keepMonthly: keepMonthly, verifyAfterBackup: verify)
            let schedule = try await BackupCommand.explaining(environment: env) {
                try await session.create(
                    APIClient.path("environments", env, "backup-schedules"), body: body, as: BackupSchedule.self)
            }
            if !session.json {
                session.note(
                    "The first backup runs at \(BackupSchedule.date(schedule.nextRunAt) ?? "the next time it names"); "
                        + "run one now with `slipway backup schedule run --environment \(env) \(schedule.id)`.")
            }
        }
    }
}
