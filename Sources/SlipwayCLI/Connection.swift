import Foundation

/// Where the commands send requests, and as whom: the config file, overridden by
/// `SLIPWAY_URL`, `SLIPWAY_TOKEN` and `SLIPWAY_ORG`, overridden in turn by `--org`.
struct Connection: Sendable, Equatable {
    var url: String
    var token: String
    var org: String?

    static func resolve(variables: [String: String], org option: String?) throws -> Connection {
        func variable(_ name: String) -> String? {
            guard let value = variables[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
                return nil
            }
            return value
        }
        let url = variable("SLIPWAY_URL")
        let token = variable("SLIPWAY_TOKEN")

        let file = try? ConfigFile(variables: variables)
        var stored: CLIConfig?
        do {
            stored = try file?.read()
        } catch {
            // The environment alone is enough; a broken file matters only when it is needed.
            if url == nil || token == nil { throw error }
        }

        guard let resolvedURL = url ?? stored?.url, let resolvedToken = token ?? stored?.token else {
            var missing: [String] = []
            if url == nil, stored?.url == nil { missing.append("URL") }
            if token == nil, stored?.token == nil { missing.append("token") }
            throw CLIError.notLoggedIn(configPath: file?.path, missing: missing)
        }
        return Connection(
            url: APIClient.normalized(resolvedURL), token: resolvedToken,
            org: option ?? variable("SLIPWAY_ORG") ?? stored?.org)
    }
}
