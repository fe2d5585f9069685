import ArgumentParser
import SlipwayCore

extension BackupCommand {
    /// `slipway backup list --environment ENV`
    struct List: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "List an environment's backups, newest first: size, verified at the destination, drill.")

        @OptionGroup var environment: EnvironmentOption

        @OptionGroup var options: GlobalOptions

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let env = self.environment.environment
            try await BackupCommand.explaining(environment: env) {
                try await session.list(APIClient.path("environments", env, "backups"), of: Backup.self)
            }
        }
    }

    /// `slipway backup show --environment ENV ID`
    struct Show: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one backup: its status (and why), sizes, checksums, where it is, and its last drill.")

        @OptionGroup var environment: EnvironmentOption

        @Argument(help: "The backup's id (bak_...).")
        var id: String

        @OptionGroup var options: GlobalOptions

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let env = self.environment.environment
            try await BackupCommand.explaining(environment: env, id: id) {
                try await session.show(APIClient.path("environments", env, "backups", id), as: Backup.self)
            }
        }
    }
}
