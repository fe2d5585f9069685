import ArgumentParser
import Foundation

/// `slipway`: the control plane (`serve`) and the commands that talk to it.
public struct SlipwayCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "slipway",
        abstract: "Deploy apps from Git onto your own servers.",
        discussion: """
            Start with `slipway serve`, then `slipway login --url http://127.0.0.1:8080 --token TOKEN` \
            (a new server writes its first token to DATA_DIR/initial-token).

            Exit codes: 0 success; 1 the server refused the request (4xx) or you are not logged in; \
            2 bad arguments; 3 the server cannot be reached or failed (5xx).
            """,
        subcommands: [
            Serve.self, Login.self, OrgCommand.self, ProjectCommand.self, EnvCommand.self, ServerCommand.self,
            InstanceCommand.self, DeployCommand.self, WebhookCommand.self, SnapshotCommand.self, BackupCommand.self,
            APIKeyCommand.self,
        ]
    )

    public init() {}

    /// Parses `arguments`, runs the command against `environment`, writes any error with a
    /// hint to its error output, and answers the exit code. Nothing here calls `exit`, so
    /// tests run commands in-process; `main.swift` exits with the answer.
    ///
    /// Use this rather than ArgumentParser's `main()`, which prints errors its own way and
    /// exits 64 on bad arguments instead of 2.
    public static func run(arguments: [String], environment: CLIEnvironment) async -> Int32 {
        do {
            var command = try parseAsRoot(arguments)
            switch command {
            case let command as any CLICommand:
                try await command.run(in: environment)
            case var command as any AsyncParsableCommand:
                try await command.run()
            default:
                try command.run()
            }
            return CLIExitCode.success.rawValue
        } catch {
            return report(error, to: environment.output)
        }
    }

    /// Writes `error` for a person and answers the exit code scripts see.
    static func report(_ error: any Error, to output: OutputSink) -> Int32 {
        if let error = error as? CLIError {
            error.lines.forEach(output.err)
            return error.exitCode.rawValue
        }
        let code = exitCode(for: error)
        var message = fullMessage(for: error).trimmingCharacters(in: .newlines)
        if message.hasPrefix("Error: ") {
            message = "error: " + message.dropFirst("Error: ".count)  // one style for every error line
        }
        if code.isSuccess {
            // --help, --version
            if !message.isEmpty { output.out(message) }
            return code.rawValue
        }
        if !message.isEmpty { output.err(message) }
        // The argument parser's own errors (unknown option, failed validate()) are usage errors.
        return code == .validationFailure ? CLIExitCode.usage.rawValue : code.rawValue
    }
}
