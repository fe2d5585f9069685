import ArgumentParser
import SlipwayCore

extension BackupCommand {
    /// `slipway backup verify --environment ENV ID [--wait]`
    struct Verify: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a restore drill of a completed backup.",
            discussion: """
                The drill reads the copy back from the destination and checks it against the backup's sha256, \
                restores it into a scratch database on the instance's server, counts its tables and rows against \
                the dump and the filestore's files, then drops the scratch database. The instance itself is not \
                touched. --wait prints the drill's report and exits 1 when it failed.
                """)

        @OptionGroup var environment: EnvironmentOption

        @Argument(help: "The backup's id (bak_...).")
        var id: String

        @OptionGroup var wait: WaitOptions

        @OptionGroup var options: GlobalOptions

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let env = self.environment.environment
            let queued = try await BackupCommand.explaining(environment: env, id: id) {
                try await session.client.post(
                    APIClient.path("environments", env, "backups", id, "verify"), body: [String: String](),
                    as: Backup.self)
            }
            guard wait.wait else {
                if session.json { return session.printJSON(queued.body) }
                return session.print(
                    "Queued a drill of backup \(id): see its verdict with `slipway backup show --environment \(env) "
                        + "\(id)`, or pass --wait next time.")
            }
            let watch = BackupWatch(session: session, environmentId: env, timeout: wait.timeout)
            let drilled = try await watch.wait(for: [queued.value], until: BackupWatch.drilled)
            try watch.reportDrill(drilled[0])
        }
    }
}
