import ArgumentParser
import SlipwayCore

extension SnapshotCommand {
    /// `slipway snapshot list --environment ENV_ID`
    struct List: CLICommand {
        static let configuration = CommandConfiguration(abstract: "List an environment's snapshots, newest first.")

        @OptionGroup var environment: EnvironmentOption

        @OptionGroup var options: GlobalOptions

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let env = self.environment.environment
            try await SnapshotCommand.explaining(environment: env) {
                try await session.list(SnapshotCommand.path(env), of: Snapshot.self)
            }
        }
    }

    /// `slipway snapshot show --environment ENV_ID ID`
    struct Show: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one snapshot: its status (and why it failed), sizes, checksums and where its files are.")

        @OptionGroup var environment: EnvironmentOption

        @Argument(help: "The snapshot's id (snp_...).")
        var id: String

        @OptionGroup var options: GlobalOptions

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let env = self.environment.environment
            try await SnapshotCommand.explaining(environment: env, id: id) {
                try await session.show(SnapshotCommand.path(env, id), as: Snapshot.self)
            }
        }
    }
}
