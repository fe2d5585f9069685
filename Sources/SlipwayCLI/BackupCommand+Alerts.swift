import ArgumentParser
import SlipwayCore

extension BackupCommand {
    /// `slipway backup alerts --environment ENV [--all]`
    struct Alerts: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "List an environment's open alerts: missed, failed or shrunken backups and failed drills.")

        @OptionGroup var environment: EnvironmentOption

        @Flag(help: "Also list the resolved ones.")
        var all = false

        @OptionGroup var options: GlobalOptions

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let env = self.environment.environment
            try await BackupCommand.explaining(environment: env) {
                try await session.list(
                    APIClient.path("environments", env, "alerts") + (all ? "?all=true" : ""), of: Alert.self)
            }
        }
    }

    /// `slipway backup resolve --environment ENV ALERT_ID`
    struct Resolve: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "Resolve an alert by hand (a later success of the same backup or schedule resolves it too).")

        @OptionGroup var environment: EnvironmentOption

        @Argument(help: "The alert's id (alr_...).")
        var id: String

        @OptionGroup var options: GlobalOptions

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let env = self.environment.environment
            try await BackupCommand.explaining(environment: env, id: id) {
                try await session.create(
                    APIClient.path("environments", env, "alerts", id, "resolve"), body: [String: String](),
                    as: Alert.self)
            }
        }
    }
}
