import ArgumentParser

extension BackupCommand {
    /// `slipway backup schedule remove --environment ENV ID --yes`
    struct ScheduleRemove: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "remove", abstract: "Remove a backup schedule; the backups it made stay.",
            aliases: ["delete"])

        @OptionGroup var environment: EnvironmentOption

        @Argument(help: "The schedule's id (bks_...).")
        var id: String

        @Flag(help: "Confirm: no more backups are taken on this schedule.")
        var yes = false

        @OptionGroup var options: GlobalOptions

        func validate() throws {
            try requireConfirmation(yes, "removing backup schedule \(id)")
        }

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let env = self.environment.environment
            try await BackupCommand.explaining(environment: env, id: id) {
                try await session.delete(
                    APIClient.path("environments", env, "backup-schedules", id), id: id,
                    done: "Removed backup schedule \(id); the backups it made stay.")
            }
        }
    }
}
