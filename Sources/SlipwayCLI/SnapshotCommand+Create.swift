import ArgumentParser
import SlipwayCore

extension SnapshotCommand {
    /// `slipway snapshot create --environment ENV_ID [--instance INSTANCE_ID] [--wait]`
    struct Create: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "Take a manual snapshot of each of the environment's instances, or of one with --instance.",
            discussion: """
                A snapshot is the instance's database, dumped with pg_dump (custom format) in the server's \
                PostgreSQL container, and its filestore (Odoo) as a tar archive, both written to the server's \
                snapshot volume with their sizes and sha256. Taking it is a job that runs after the instance's \
                other queued work; --wait watches it.
                """,
            aliases: ["take"])

        @OptionGroup var environment: EnvironmentOption

        @Option(help: ArgumentHelp("Only this instance of the environment (ins_...).", valueName: "id"))
        var instance: String?

        @OptionGroup var wait: WaitOptions

        @OptionGroup var options: GlobalOptions

        struct Body: Encodable {
            var instanceId: String?
        }

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let env = self.environment.environment
            let queued = try await SnapshotCommand.explaining(environment: env) {
                try await session.client.post(
                    SnapshotCommand.path(env), body: Body(instanceId: instance), as: ItemList<Snapshot>.self)
            }
            let snapshots = queued.value.items
            guard wait.wait else {
                if session.json { return session.printJSON(queued.body) }
                session.print(Table(headers: Snapshot.columns, rows: snapshots.map(\.row)).render())
                return session.note(
                    "Queued \(snapshots.count == 1 ? "1 snapshot" : "\(snapshots.count) snapshots"): watch with "
                        + "`slipway snapshot list --environment \(env)`, or pass --wait next time.")
            }
            let watch = SnapshotWatch(session: session, environmentId: env, timeout: wait.timeout)
            try watch.report(try await watch.wait(for: snapshots))
        }
    }
}
