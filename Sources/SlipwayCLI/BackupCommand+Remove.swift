import ArgumentParser

extension BackupCommand {
    /// `slipway backup remove ID --environment E --yes`
    struct Remove: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "remove",
            abstract: "Delete a backup: its files at the destination, its snapshot on the server, its record.",
            aliases: ["delete"])

        @Argument(help: "The backup's id (bak_...).")
        var id: String

        @Option(help: "The environment the backup belongs to (env_...).")
        var environment: String

        @Flag(help: "Confirm: the backup's files are deleted for good.")
        var yes = false

        @OptionGroup var options: GlobalOptions

        func validate() throws {
            try requireConfirmation(yes, "deleting backup \(id)")
        }

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            try await BackupCommand.explaining(environment: self.environment, id: id) {
                try await session.delete(
                    APIClient.path("environments", self.environment, "backups", id), id: id,
                    done: "Deleted backup \(id).")
            }
        }
    }
}
