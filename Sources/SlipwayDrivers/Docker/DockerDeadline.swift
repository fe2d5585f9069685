/// Runs `body` with a deadline: when `timeout` passes first, `body` is cancelled (which cancels its HTTP
/// request) and a ``DockerError`` of kind `timedOut` naming `operation` is thrown.
func withDockerDeadline<Value: Sendable>(
    _ timeout: Duration, operation: String, _ body: @escaping @Sendable () async throws -> Value
) async throws -> Value {
    try await withThrowingTaskGroup(of: Value.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw DockerError(.timedOut, message: "did not finish within \(timeout)", operation: operation)
        }
        defer { group.cancelAll() }
        guard let value = try await group.next() else {
            throw CancellationError()
        }
        return value
    }
}

extension Duration {
    /// Whole nanoseconds, as the engine takes durations.
    var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
