import ArgumentParser

extension BackupCommand {
    /// `slipway backup schedule`: when an environment's instances are backed up, and where to.
    struct Schedule: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "schedule",
            abstract: "Add, list, show, remove and run an environment's backup schedules.",
            discussion: """
                A schedule backs up one instance of the environment (--instance), or every one of them, at the \
                times its cron names (UTC), to a destination, and keeps the newest backup of each of the last \
                --keep-daily days, --keep-weekly weeks and --keep-monthly months. A time that passes without a \
                backup, a failed backup, one much smaller than the one before, or a failed drill raises an alert \
                (`slipway backup alerts`).
                """,
            subcommands: [
                ScheduleAdd.self, ScheduleList.self, ScheduleShow.self, ScheduleRemove.self, ScheduleRun.self,
            ])
    }
}
