import ArgumentParser

/// A subcommand that does its work against an injected `CLIEnvironment`, so tests can run
/// it in-process with a temporary `HOME` and captured output.
protocol CLICommand: AsyncParsableCommand {
    func run(in environment: CLIEnvironment) async throws
}

extension CLICommand {
    mutating func run() async throws {
        try await run(in: .process)
    }
}
