import ArgumentParser
import SlipwayCore

extension SnapshotCommand {
    /// `slipway snapshot pin --environment ENV_ID ID`
    struct Pin: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "Pin a snapshot: it is kept until unpinned, and cannot be deleted.")

        @OptionGroup var environment: EnvironmentOption

        @Argument(help: "The snapshot's id (snp_...).")
        var id: String

        @OptionGroup var options: GlobalOptions

        func run(in environment: CLIEnvironment) async throws {
            try await SnapshotCommand.setPinned(
                true, id: id, environment: self.environment.environment, options: options, in: environment)
        }
    }

    /// `slipway snapshot unpin --environment ENV_ID ID`
    struct Unpin: CLICommand {
        static let configuration = CommandConfiguration(abstract: "Unpin a snapshot: it can be deleted again.")

        @OptionGroup var environment: EnvironmentOption

        @Argument(help: "The snapshot's id (snp_...).")
        var id: String

        @OptionGroup var options: GlobalOptions

        func run(in environment: CLIEnvironment) async throws {
            try await SnapshotCommand.setPinned(
                false, id: id, environment: self.environment.environment, options: options, in: environment)
        }
    }

    /// `POST .../snapshots/ID/pin` or `/unpin`, then the snapshot.
    static func setPinned(
        _ pinned: Bool, id: String, environment env: String, options: GlobalOptions, in environment: CLIEnvironment
    ) async throws {
        let session = try Session(environment: environment, options: options)
        try await explaining(environment: env, id: id) {
            try await session.create(
                path(env, id, pinned ? "pin" : "unpin"), body: [String: String](), as: Snapshot.self)
        }
    }
}
