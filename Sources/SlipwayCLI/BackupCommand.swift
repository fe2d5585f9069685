import ArgumentParser
import Foundation

/// `slipway backup`: backups of an environment's instances copied to a destination on a schedule, their
/// restore drills, and the alerts they raise.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Backup destinations and schedules; list, show and verify backups; see and resolve their alerts.",
        subcommands: [
            Destination.self, Schedule.self, List.self, Show.self, Verify.self, Remove.self, Alerts.self, Resolve.self,
        ]
    )

    /// The option that sets each API field of the backup routes, where it is not the field kebab-cased.
    static let flags = [
        "destinationId": "--destination", "path": "--local or --sftp", "host": "--sftp", "port": "--sftp",
        "username": "--sftp", "privateKey": "--key-file", "passphrase": "--passphrase-file",
        "verifyAfterBackup": "--verify",
    ]

    /// The API's refusals about backups, with what to do about them.
    static func explained(_ error: CLIError, environment: String?, id: String? = nil) -> CLIError {
        var error = error
        let env = environment ?? "ENV"
        let named = id ?? "ID"
        switch error.code {
        case "invalid_field":
            if let field = error.field, let flag = flags[field] { error.hint = "check the value of \(flag)" }
        case "not_found" where error.message.hasPrefix("backup destination"):
            error.hint = "check the id with `slipway backup destination list`"
        case "not_found" where error.message.hasPrefix("backup schedule"):
            error.hint = "check the id with `slipway backup schedule list --environment \(env)`"
        case "not_found" where error.message.hasPrefix("backup"):
            error.hint = "check the id with `slipway backup list --environment \(env)`"
        case "not_found" where error.message.hasPrefix("alert"):
            error.hint = "check the id with `slipway backup alerts --environment \(env) --all`"
        case "destination_in_use":
            error.hint =
                "remove the schedules that use it first (`slipway backup schedule list --environment ENV`); "
                + "a destination that still holds backups stays until they are deleted"
        case "backup_not_completed":
            error.hint = "see how it ended with `slipway backup show --environment \(env) \(named)`"
        case "drill_running":
            error.hint = "wait for its verdict: `slipway backup show --environment \(env) \(named)`"
        case "no_instance":
            error.hint = "create one with `slipway instance create --environment \(env) ...`"
        case "instance_gone":
            error.hint = "see the environment's instances with `slipway instance list --environment \(env)`"
        default:
            break
        }
        return error
    }

    /// Runs a request, explaining the API's refusals about backups.
    @discardableResult
    static func explaining<T>(environment: String?, id: String? = nil, _ request: () async throws -> T)
        async throws -> T
    {
        do {
            return try await request()
        } catch let error as CLIError {
            throw explained(error, environment: environment, id: id)
        }
    }
}
