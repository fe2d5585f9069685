import ArgumentParser
import SlipwayCore

extension SnapshotCommand {
    /// `slipway snapshot retention --environment ENV_ID [--keep-last N] [--keep-days D] [--clear]`
    struct Retention: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "Show or set how many of the environment's snapshots the hourly cleanup keeps.",
            discussion: """
                Without options, shows the retention. --keep-last N keeps each instance's last N completed \
                snapshots, --keep-days D those younger than D days; with both, a snapshot either rule keeps \
                stays. An option not given keeps its current value; --clear starts from no rule (alone: every \
                snapshot stays until deleted). Pinned snapshots and backups are never removed by it.
                """)

        @OptionGroup var environment: EnvironmentOption

        @Option(help: ArgumentHelp("Keep each instance's last N completed snapshots (1-10000).", valueName: "n"))
        var keepLast: Int?

        @Option(help: ArgumentHelp("Keep the snapshots younger than D days (1-10000).", valueName: "days"))
        var keepDays: Int?

        @Flag(help: "Start from no rule: the rules not given with it are cleared.")
        var clear = false

        @OptionGroup var options: GlobalOptions

        func validate() throws {
            for (flag, value) in [("--keep-last", keepLast), ("--keep-days", keepDays)] {
                if let value, !(1...10000).contains(value) {
                    throw ValidationError("\(flag) must be from 1 to 10000 (got \(value)); --clear removes a rule")
                }
            }
        }

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let env = self.environment.environment
            let path = SnapshotCommand.path(env, "retention")
            try await SnapshotCommand.explaining(environment: env) {
                if clear || keepLast != nil || keepDays != nil {
                    var retention =
                        clear
                        ? SnapshotRetention() : try await session.client.get(path, as: SnapshotRetention.self).value
                    retention.keepLast = keepLast ?? retention.keepLast
                    retention.keepDays = keepDays ?? retention.keepDays
                    try await session.client.put(path, body: retention)
                }
                let reply = try await session.client.get(path, as: SnapshotRetention.self)
                if session.json { return session.printJSON(reply.body) }
                session.print(Self.details(reply.value).render())
            }
        }

        static func details(_ retention: SnapshotRetention) -> DetailList {
            let lastRule = retention.keepLast.map { "\($0) (each instance's last \($0) completed snapshots)" }
            let daysRule = retention.keepDays.map { "\($0) (the snapshots younger than \($0) days)" }
            let none = retention.keepLast == nil && retention.keepDays == nil
            return DetailList([
                ("keepLast", lastRule ?? "not set"), ("keepDays", daysRule ?? "not set"),
                ("cleanup", none ? "none: every snapshot stays until deleted" : "hourly; pinned snapshots stay"),
            ])
        }
    }
}
