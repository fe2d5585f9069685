import Foundation
import SlipwayDrivers
import SlipwayTesting
import Testing

extension Tag {
    /// Tests that start a real sshd on loopback (they need root and openssh-server).
    @Tag static var sshd: Self
    /// Benchmarks: they print figures and assert nothing; they run only with SLIPWAY_BENCH=1 (`bench/ssh`).
    @Tag static var bench: Self
}

/// Runs `body` with a connection to `target`, closed afterwards whatever happens.
func withConnection<T: Sendable>(
    _ target: SSHTarget, maxSessions: Int = 8, _ body: (SSHConnection) async throws -> T
) async throws -> T {
    let connection = try SSHConnection(target: target, maxSessions: maxSessions)
    do {
        let value = try await body(connection)
        await connection.close()
        return value
    } catch {
        await connection.close()
        throw error
    }
}

/// Waits until no process on the server's side matches `pattern` (pgrep -f), or gives up after `timeout`.
/// Returns whether they were all gone.
func remoteProcessesGone(
    _ pattern: String, on connection: SSHConnection, timeout: Duration = .seconds(6)
) async throws -> Bool {
    let until = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < until {
        // pgrep exits 1 when nothing matches; the pattern's [x] keeps it from matching its own wrapper.
        let result = try await connection.run(["pgrep", "-f", pattern], deadline: .seconds(10))
        if result.exitCode == 1 { return true }
        try await Task.sleep(for: .milliseconds(200))
    }
    return false
}
