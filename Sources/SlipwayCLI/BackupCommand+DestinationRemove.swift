import ArgumentParser

extension BackupCommand {
    /// `slipway backup destination remove ID --yes`
    struct DestinationRemove: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "remove",
            abstract: "Forget a backup destination no schedule or backup uses; the files there stay.",
            aliases: ["delete"])

        @Argument(help: "The destination's id (dst_...).")
        var id: String

        @Flag(help: "Confirm: the destination and its stored key are removed for good.")
        var yes = false

        @OptionGroup var options: GlobalOptions

        func validate() throws {
            try requireConfirmation(yes, "removing backup destination \(id)")
        }

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            try await BackupCommand.explaining(environment: nil, id: id) {
                try await session.delete(
                    APIClient.path("backup-destinations", id), id: id, done: "Removed backup destination \(id).")
            }
        }
    }
}
