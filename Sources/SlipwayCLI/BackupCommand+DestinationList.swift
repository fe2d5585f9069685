import ArgumentParser
import SlipwayCore

extension BackupCommand {
    /// `slipway backup destination list`
    struct DestinationList: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List the organization's backup destinations.")

        @OptionGroup var options: GlobalOptions

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            try await session.list(APIClient.path("backup-destinations"), of: BackupDestination.self)
        }
    }

    /// `slipway backup destination show ID`
    struct DestinationShow: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Show one backup destination (never its key).")

        @Argument(help: "The destination's id (dst_...).")
        var id: String

        @OptionGroup var options: GlobalOptions

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            try await BackupCommand.explaining(environment: nil, id: id) {
                try await session.show(APIClient.path("backup-destinations", id), as: BackupDestination.self)
            }
        }
    }
}
