import ArgumentParser
import Foundation

/// `slipway snapshot`: an environment's snapshots (each instance's database dump and filestore archive
/// on its server), and restoring them.
struct SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "List, take, show, pin, unpin, estimate, delete, restore and retain an environment's snapshots.",
        subcommands: [
            List.self, Create.self, Show.self, Pin.self, Unpin.self, Estimate.self, Delete.self, Restore.self,
            Restores.self, Retention.self,
        ]
    )

    /// `/api/environments/ENV/snapshots[/ID[/ACTION]]`
    static func path(_ environment: String, _ rest: String...) -> String {
        rest.reduce(APIClient.path("environments", environment, "snapshots")) { path, segment in
            path + APIClient.path(segment).dropFirst("/api".count)
        }
    }

    /// `?name=value`, the value percent-encoded.
    static func query(_ name: String, _ value: String?) -> String {
        guard let value else { return "" }
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+#?;")
        return "?\(name)=" + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)
    }

    /// The API's refusals about snapshots, with what to do about them.
    static func explained(_ error: CLIError, environment: String, id: String? = nil) -> CLIError {
        var error = error
        let named = id ?? "ID"
        switch error.code {
        case "not_found" where error.message.hasPrefix("snapshot"):
            error.hint = "check the id with `slipway snapshot list --environment \(environment)`"
        case "not_found" where error.message.hasPrefix("restore"):
            error.hint =
                "check the id with `slipway snapshot restores --environment ENV`, ENV being the environment of "
                + "the instance restored into"
        case "snapshot_pinned":
            error.hint = "unpin it first: `slipway snapshot unpin --environment \(environment) \(named)`"
        case "snapshot_not_completed":
            error.hint = "see how it ended with `slipway snapshot show --environment \(environment) \(named)`"
        case "snapshot_running", "snapshot_in_use":
            error.hint = "try again once it has ended"
        case "no_instance":
            error.hint = "create one with `slipway instance create --environment \(environment) ...`"
        case "no_database", "instance_removing", "instance_gone":
            error.hint = "see the environment's instances with `slipway instance list --environment \(environment)`"
        case "server_unreachable":
            error.hint =
                "the work is done on the instance's server: check it with `slipway server verify SERVER_ID` "
                + "(`slipway instance show INSTANCE_ID` names it)"
        default:
            break
        }
        return error
    }

    /// Runs a request, explaining the API's refusals about snapshots.
    @discardableResult
    static func explaining<T>(environment: String, id: String? = nil, _ request: () async throws -> T)
        async throws -> T
    {
        do {
            return try await request()
        } catch let error as CLIError {
            throw explained(error, environment: environment, id: id)
        }
    }
}

/// `--environment ENV` (or `--env`), shared by the snapshot commands.
struct EnvironmentOption: ParsableArguments {
    @Option(
        name: [.customLong("environment"), .customLong("env")],
        help: ArgumentHelp("The environment's id (env_...).", valueName: "id"))
    var environment: String
}
