import ArgumentParser
import SlipwayCore

extension BackupCommand {
    /// `slipway backup destination check ID`
    struct DestinationCheck: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Connect to a backup destination now: write a small file there, read it back, remove it.",
            discussion: """
                An SFTP host's key is pinned at the first connection. When the destination cannot be used, the \
                error names what to fix (the key, the directory, or the host that cannot be reached) and the \
                command exits 1. `backup destination add --sftp` runs this check right after adding.
                """)

        @Argument(help: "The destination's id (dst_...).")
        var id: String

        @OptionGroup var options: GlobalOptions

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let checked = try await BackupCommand.explaining(environment: nil, id: id) {
                do {
                    return try await Self.check(session, id: id)
                } catch let error as CLIError {
                    throw Self.failed(error, id: id)
                }
            }
            if session.json { return session.printJSON(checked.body) }
            session.print(Self.passed(checked.value))
        }

        /// `POST /api/backup-destinations/ID/check`.
        static func check(_ session: Session, id: String) async throws -> APIClient.Reply<BackupDestination> {
            try await session.client.post(
                APIClient.path("backup-destinations", id, "check"), body: [String: String](),
                as: BackupDestination.self)
        }

        /// What a person reads when the destination works.
        static func passed(_ destination: BackupDestination) -> String {
            "Backup destination \(destination.id) works: wrote, read back and removed a file in "
                + destination.location
                + (destination.hostKeyFingerprint.map { "; host key \($0) pinned." } ?? ".")
        }

        /// A check the destination failed (the control plane answered, the destination is at fault) exits 1
        /// with how to check again; the control plane itself failing keeps its own exit code.
        static func failed(_ error: CLIError, id: String) -> CLIError {
            guard ["ssh_", "sftp_", "backup_destination_"].contains(where: { error.code.hasPrefix($0) }),
                let status = error.status, status < 500 || status == 503
            else { return error }
            var error = error
            error.exitCode = CLIExitCode.failure
            error.hint = "fix it, then: slipway backup destination check \(id)"
            return error
        }
    }
}
