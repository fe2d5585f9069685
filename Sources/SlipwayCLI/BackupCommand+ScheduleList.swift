import ArgumentParser
import SlipwayCore

extension BackupCommand {
    /// `slipway backup schedule list --environment ENV`
    struct ScheduleList: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List an environment's backup schedules, with their status and next run.")

        @OptionGroup var environment: EnvironmentOption

        @OptionGroup var options: GlobalOptions

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let env = self.environment.environment
            try await BackupCommand.explaining(environment: env) {
                try await session.list(APIClient.path("environments", env, "backup-schedules"), of: BackupSchedule.self)
            }
        }
    }

    /// `slipway backup schedule show --environment ENV ID`
    struct ScheduleShow: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Show one backup schedule: its status (and why), its last and next run.")

        @OptionGroup var environment: EnvironmentOption

        @Argument(help: "The schedule's id (bks_...).")
        var id: String

        @OptionGroup var options: GlobalOptions

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let env = self.environment.environment
            try await BackupCommand.explaining(environment: env, id: id) {
                try await session.show(
                    APIClient.path("environments", env, "backup-schedules", id), as: BackupSchedule.self)
            }
        }
    }
}
