import Foundation
import SlipwayCore
import SlipwayDrivers

/// The control plane's own machine, registered as the server `local`: commands run as local
/// processes from argv arrays, no shell and no SSH. They run through the SSH transport's
/// `LocalProcess`, which hears each child's exit on its own (Foundation's `Process` does not; see there).
public struct LocalHost: RemoteHost, ServerConnector {
    public init() {}

    public func connect(to server: Server, credential: ServerCredential?) async throws -> any RemoteHost { self }

    public var hostKeyFingerprint: String? { nil }

    public func close() async {}

    public func socket(reaching path: String) async throws -> String { path }

    public func loopback(port: Int) async throws -> ServiceEndpoint { .tcp(host: "127.0.0.1", port: port) }

    public func run(_ argv: [String], deadline: Duration) async throws -> CommandResult {
        try await run(argv, input: .none, deadline: deadline)
    }

    public func run(_ argv: [String], stdin: Data, deadline: Duration) async throws -> CommandResult {
        try await run(argv, input: .data(stdin, thenClose: true), deadline: deadline)
    }

    private func run(_ argv: [String], input: LocalProcess.Input, deadline: Duration) async throws -> CommandResult {
        let process: LocalProcess
        do {
            process = try LocalProcess.start(argv, environment: ProcessInfo.processInfo.environment, input: input)
        } catch {
            throw ConnectionFailure.refused("\(error)")
        }
        return try await withTaskCancellationHandler {
            try await withThrowingTaskGroup(of: CommandResult?.self) { group in
                group.addTask {
                    let result = await process.collect()
                    return CommandResult(
                        exitCode: result.termination.exitCode, stdout: result.stdout, stderr: result.stderr)
                }
                group.addTask {
                    try await Task.sleep(for: deadline)
                    return nil
                }
                guard let first = try await group.next(), let result = first else {
                    process.terminate()
                    group.cancelAll()
                    throw ConnectionFailure.unreachable("\(argv.first ?? "") did not finish within \(deadline)")
                }
                group.cancelAll()
                return result
            }
        } onCancel: {
            process.terminate()
        }
    }
}
