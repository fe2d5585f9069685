extension LocalProcess {
    /// Runs `operation`, cancelling it if it has not finished within `duration`; then `SSHError.timedOut`.
    /// The operation must end promptly when cancelled (ours kill their process), since this waits for it.
    static func withDeadline<T: Sendable>(
        _ duration: Duration, _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: duration)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                try Task.checkCancellation()
                throw SSHError.timedOut(after: duration)
            }
            return value
        }
    }
    /// Runs a short local tool to completion and returns its exit code and output. Past `timeout` the
    /// tool is killed and `SSHError.timedOut` thrown; cancelling the task kills it too.
    static func run(
        _ argv: [String], environment: [String: String], input: Input = .none, timeout: Duration
    ) async throws -> (exitCode: Int32, stdout: String, stderr: String) {
        let process: LocalProcess
        do {
            process = try LocalProcess.start(argv, environment: environment, input: input)
        } catch {
            throw SSHError.localFailure("\(error)")
        }
        let result = try await Self.withDeadline(timeout) { await process.collect() }
        try Task.checkCancellation()
        return (
            result.termination.exitCode, String(decoding: result.stdout, as: UTF8.self),
            String(decoding: result.stderr, as: UTF8.self)
        )
    }
}
