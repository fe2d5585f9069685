import ArgumentParser
import SlipwayCore

extension BackupCommand {
    /// `slipway backup schedule run --environment ENV ID [--wait]`
    struct ScheduleRun: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Run a backup schedule now: a backup of its instance, or of each instance of the environment.",
            discussion: """
                Each backup is a job that runs after the instance's other queued work; --wait watches them and \
                exits 1 when one failed.
                """)

        @OptionGroup var environment: EnvironmentOption

        @Argument(help: "The schedule's id (bks_...).")
        var id: String

        @OptionGroup var wait: WaitOptions

        @OptionGroup var options: GlobalOptions

        struct Queued: Decodable, Sendable {
            var backups: [Backup]
        }

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let env = self.environment.environment
            let queued = try await BackupCommand.explaining(environment: env, id: id) {
                try await session.client.post(
                    APIClient.path("environments", env, "backup-schedules", id, "run"), body: [String: String](),
                    as: Queued.self)
            }
            let backups = queued.value.backups
            guard wait.wait else {
                if session.json { return session.printJSON(queued.body) }
                session.print(Table(headers: Backup.columns, rows: backups.map(\.row)).render())
                return session.note(
                    "Queued \(backups.count == 1 ? "1 backup" : "\(backups.count) backups"): watch with "
                        + "`slipway backup list --environment \(env)`, or pass --wait next time.")
            }
            let watch = BackupWatch(session: session, environmentId: env, timeout: wait.timeout)
            try watch.report(try await watch.wait(for: backups))
        }
    }
}
