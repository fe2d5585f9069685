import ArgumentParser

extension BackupCommand {
    /// `slipway backup destination`: where the organization's backups are copied.
    struct Destination: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "destination",
            abstract: "Add, list, show, check and remove the places backups are copied to.",
            discussion: """
                A destination is a directory on the control plane's own machine (--local), checked writable when \
                it is added, or a directory on an SFTP host (--sftp) reached with a private key that is stored \
                encrypted and never shown again, checked right after it is added and whenever you run `check`. \
                Destinations belong to the organization; schedules of any of its environments use them.
                """,
            subcommands: [
                DestinationAdd.self, DestinationList.self, DestinationShow.self, DestinationCheck.self,
                DestinationRemove.self,
            ])
    }
}
