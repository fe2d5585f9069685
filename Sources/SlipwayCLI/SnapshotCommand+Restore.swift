import ArgumentParser
import SlipwayCore

extension SnapshotCommand {
    /// `slipway snapshot restore --environment ENV_ID ID [--instance TARGET_ID] [--no-safety-snapshot] --yes
    /// [--wait]`
    struct Restore: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "Restore a completed snapshot into its instance, or into another instance of the project.",
            discussion: """
                This overwrites the instance's database and filestore. The snapshot's files are checked against \
                their recorded sha256 first; then a safety snapshot of the instance is taken (unless \
                --no-safety-snapshot); then the instance stops, the dump is restored into a fresh database that \
                replaces the old one only once pg_restore succeeded, the filestore is replaced, and the instance \
                starts again. Another instance must be of the same project and on the same server \
                (production into staging). --wait follows the restore as it happens and prints each step as it \
                begins and ends, with how long it took, and a failed step's output.
                """)

        @OptionGroup var environment: EnvironmentOption

        @Argument(help: "The snapshot's id (snp_...).")
        var id: String

        @Option(
            help: ArgumentHelp(
                "The instance to restore into (ins_...); default: the snapshot's own.", valueName: "id"))
        var instance: String?

        @Flag(help: "Take no safety snapshot of the instance first: what it holds now is lost for good.")
        var noSafetySnapshot = false

        @Flag(help: "Confirm: the instance's database and filestore are overwritten.")
        var yes = false

        @OptionGroup var wait: WaitOptions

        @OptionGroup var options: GlobalOptions

        struct Body: Encodable {
            var instanceId: String?
            var safetySnapshot: Bool
        }

        func validate() throws {
            guard yes else {
                let target = instance.map { "instance \($0)" } ?? "the snapshot's instance"
                let undo =
                    noSafetySnapshot
                    ? "with --no-safety-snapshot no copy of them is kept, which cannot be undone"
                    : "a safety snapshot of them is taken first"
                throw ValidationError(
                    "restoring snapshot \(id) overwrites the database and filestore of \(target) (\(undo)): "
                        + "add --yes to confirm")
            }
        }

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let env = self.environment.environment
            if noSafetySnapshot, !session.json {
                session.note("warning: no safety snapshot is taken: what the instance holds now is overwritten.")
            }
            let queued = try await SnapshotCommand.explaining(environment: env, id: id) {
                try await session.client.post(
                    SnapshotCommand.path(env, id, "restore"),
                    body: Body(instanceId: instance, safetySnapshot: !noSafetySnapshot), as: SlipwayCore.Restore.self)
            }
            let restore = queued.value
            guard wait.wait else {
                if session.json { return session.printJSON(queued.body) }
                session.print(restore.details.render())
                return session.note(
                    "Queued restore \(restore.id): watch it with `slipway snapshot restores --environment "
                        + "\(restore.environmentId) \(restore.id)`, or pass --wait next time.")
            }
            if !session.json {
                session.note("Restoring snapshot \(id) into instance \(restore.instanceId) (restore \(restore.id)).")
            }
            let watch = RestoreWatch(session: session, restore: restore, timeout: wait.timeout)
            try watch.report(try await watch.wait())
        }
    }

    /// `slipway snapshot restores --environment ENV_ID [RESTORE_ID]`
    struct Restores: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "List the restores into an environment's instances, or show one with its steps.")

        @OptionGroup var environment: EnvironmentOption

        @Argument(help: "A restore's id (rst_...): show it with its steps.")
        var id: String?

        @OptionGroup var options: GlobalOptions

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let env = self.environment.environment
            let path = APIClient.path("environments", env, "restores")
            try await SnapshotCommand.explaining(environment: env, id: id) {
                guard let id else { return try await session.list(path, of: SlipwayCore.Restore.self) }
                try await session.show(
                    APIClient.path("environments", env, "restores", id), as: SlipwayCore.Restore.self)
            }
        }
    }
}
