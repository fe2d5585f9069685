import ArgumentParser
import Foundation

extension CLIError {
    /// The `{"error": {"code", "message", "field"}}` body the API answers errors with.
    struct Envelope: Decodable {
        struct Body: Decodable {
            var code: String?
            var message: String?
            var field: String?
        }

        var error: Body
    }

    /// The server answered `status` (not 2xx) with `body` to a request for `path` on `baseURL`.
    public static func api(status: Int, body: Data, path: String, baseURL: String) -> CLIError {
        let envelope = try? JSONDecoder().decode(Envelope.self, from: body)
        let code = envelope?.error.code ?? "http_\(status)"
        let message =
            envelope?.error.message
            ?? {
                let text = String(decoding: body.prefix(200), as: UTF8.self)
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                return text.isEmpty ? "the server answered HTTP \(status)" : "HTTP \(status): \(text)"
            }()
        let field = envelope?.error.field
        return CLIError(
            status: status, code: code, message: message, field: field,
            hint: hint(status: status, field: field, path: path, baseURL: baseURL),
            exitCode: status >= 500 ? CLIExitCode.unavailable : CLIExitCode.failure)
    }

    /// No connection to `baseURL`: refused, timed out, or the name does not resolve.
    public static func unreachable(baseURL: String, reason: String) -> CLIError {
        CLIError(
            code: "unreachable", message: "cannot reach \(baseURL): \(reason)",
            hint:
                "is `slipway serve` running at \(baseURL)? Check the URL with `slipway login --url URL --token TOKEN` or SLIPWAY_URL",
            exitCode: CLIExitCode.unavailable)
    }

    /// A 2xx answer whose body is not what the API promises.
    public static func unexpectedReply(path: String, baseURL: String, reason: String) -> CLIError {
        CLIError(
            code: "unexpected_reply", message: "the reply to \(path) is not what this CLI expects: \(reason)",
            hint: "is \(baseURL) a Slipway control plane of the same version as this CLI?",
            exitCode: CLIExitCode.unavailable)
    }

    /// Neither the config file nor SLIPWAY_URL / SLIPWAY_TOKEN say where to go.
    public static func notLoggedIn(configPath: String?, missing: [String]) -> CLIError {
        let place = configPath.map { "in \($0) or " } ?? "in "
        return CLIError(
            code: "not_logged_in",
            message: "not logged in: no \(missing.joined(separator: " or ")) \(place)the environment",
            hint: "run `slipway login --url http://HOST:PORT --token TOKEN` (a new server writes its first token to "
                + "DATA_DIR/initial-token), or set SLIPWAY_URL and SLIPWAY_TOKEN")
    }

    /// What to do next after the server answered `status`.
    static func hint(status: Int, field: String?, path: String, baseURL: String) -> String? {
        let resource = resourceCommand(forPath: path)
        switch status {
        case 400, 422:
            guard let field else {
                return "check the values you passed; `slipway \(resource ?? "<command>") --help` lists them"
            }
            return "check the value of \(flag(forField: field))"
        case 401:
            return "the token is missing, wrong, expired or revoked: run `slipway login --url \(baseURL) --token TOKEN`"
        case 403:
            return "the token lacks the permission for this (HTTP 403): ask an owner or admin of the organization "
                + "for a role or API key that has it, or pass --org for another organization"
        case 404:
            guard let resource else { return "check the id and the URL" }
            return "check the id with `slipway \(resource) list` (and --org, if it belongs to another organization)"
        case 409:
            if let field { return "that \(field) is already taken: choose another \(flag(forField: field))" }
            return "it clashes with what is stored; see `slipway \(resource ?? "<command>") list`"
        case 500...:
            return
                "the server failed (HTTP \(status)): look at the log of `slipway serve` at \(baseURL), then try again"
        default:
            return nil
        }
    }

    /// The CLI command group that lists what `path` names: `/api/projects/x/environments` -> `project`.
    static func resourceCommand(forPath path: String) -> String? {
        let segments = path.split(separator: "?", maxSplits: 1).first?.split(separator: "/") ?? []
        guard segments.count >= 2, segments[0] == "api" else { return nil }
        switch segments[1] {
        case "organizations": return "org"
        case "projects": return "project"
        case "environments": return "env"
        case "servers": return "server"
        case "api-keys": return "apikey"
        case "instances": return "instance"
        default: return nil
        }
    }

    /// The option that sets an API field: `repoUrl` -> `--repo-url`.
    static func flag(forField field: String) -> String {
        // "branchMappings[0].branchPattern" -> "branchPattern"; "permissions[1]" -> "permissions"
        // "env.LOG_LEVEL" names a variable of `--env KEY=VALUE`, not a field of its own.
        if field == "env" || field.hasPrefix("env.") { return "--env" }
        let last = field.split(separator: ".").last.map(String.init) ?? field
        let name = String(last.prefix { $0.isLetter || $0.isNumber || $0 == "-" })
        // Fields whose option is not simply the kebab-cased name.
        let renamed = [
            "permissions": "--permission", "privateKey": "--private-key-file", "password": "--password-stdin",
            "autoDeploy": "--no-auto-deploy", "passphrase": "--passphrase-file", "dockerSocketPath": "--docker-socket",
            "proxyHTTPPort": "--proxy-http-port", "serverId": "--server", "domains": "--domain",
            "instanceId": "--instance", "healthCheckTimeoutSeconds": "--health-timeout",
            "moduleUpdateModules": "--modules",
        ]
        if let option = renamed[name] { return option }
        return "--" + name.map { $0.isUppercase ? "-" + $0.lowercased() : String($0) }.joined()
    }
}
