import AsyncHTTPClient
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Everything a command reads from or writes to the world outside its arguments:
/// environment variables (`HOME`, `XDG_CONFIG_HOME`, `SLIPWAY_*`), standard input,
/// standard output and error, the HTTP client and the clock.
///
/// Commands receive it through `CLIRunnable.run(in:)` instead of reaching for globals,
/// so tests run them in-process with a temporary `HOME` and captured output.
public struct CLIEnvironment: Sendable {
    /// Environment variables, as `ProcessInfo.processInfo.environment` would give them.
    public var variables: [String: String]
    /// Where normal output and error messages go.
    public var output: OutputSink
    /// Whether standard input is a terminal (a person typing) rather than a pipe.
    public var stdinIsTerminal: Bool
    /// Reads all of standard input (for `--password-stdin`).
    public var readStandardInput: @Sendable () -> Data
    /// The HTTP client requests go through; by default one that fails fast on a refused connection.
    public var httpClient: HTTPClient
    /// The current time, for `--expires-in-days`.
    public var now: @Sendable () -> Date

    public init(
        variables: [String: String],
        output: OutputSink,
        stdinIsTerminal: Bool = false,
        readStandardInput: @escaping @Sendable () -> Data = { Data() },
        httpClient: HTTPClient? = nil,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.variables = variables
        self.output = output
        self.stdinIsTerminal = stdinIsTerminal
        self.readStandardInput = readStandardInput
        self.httpClient = httpClient ?? .cli
        self.now = now
    }

    /// The real process: its environment, its standard streams, the shared HTTP client.
    public static var process: CLIEnvironment {
        CLIEnvironment(
            variables: ProcessInfo.processInfo.environment,
            output: .standard,
            stdinIsTerminal: isatty(STDIN_FILENO) == 1,
            readStandardInput: { FileHandle.standardInput.readDataToEndOfFile() }
        )
    }

    /// The config file this environment reads and `slipway login` writes.
    public var configFile: ConfigFile {
        get throws { try ConfigFile(variables: variables) }
    }
}
