import ArgumentParser
import SlipwayCore

extension SnapshotCommand {
    /// `slipway snapshot delete --environment ENV_ID ID --yes`
    struct Delete: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a snapshot: its files on the server, then its record. A pinned one is refused.",
            aliases: ["remove"])

        @OptionGroup var environment: EnvironmentOption

        @Argument(help: "The snapshot's id (snp_...).")
        var id: String

        @Flag(help: "Confirm: the snapshot's files are deleted for good.")
        var yes = false

        @OptionGroup var options: GlobalOptions

        func validate() throws {
            try requireConfirmation(yes, "deleting snapshot \(id)")
        }

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let env = self.environment.environment
            try await SnapshotCommand.explaining(environment: env, id: id) {
                try await session.delete(SnapshotCommand.path(env, id), id: id, done: "Deleted snapshot \(id).")
            }
        }
    }
}
