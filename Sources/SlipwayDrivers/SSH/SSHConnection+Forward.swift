import Foundation

extension SSHConnection {
    /// A unix socket on this machine that reaches `remotePath` on the server through the master
    /// (`ssh -O forward -L LOCAL:REMOTE`), for example the remote Docker engine's
    /// `/var/run/docker.sock`. The local socket lives in the connection's private directory (only this
    /// user can use it) and survives re-establishment of the master. Asking twice for the same remote
    /// path returns the same local path.
    public func forwardUnixSocket(remotePath: String, deadline: Duration = .seconds(30)) async throws -> String {
        guard remotePath.hasPrefix("/"), !remotePath.contains(":"),
            !remotePath.contains(where: { $0.isNewline || $0 == "\0" || $0 == " " })
        else {
            throw SSHError.forwardFailed("'\(remotePath)' is not an absolute socket path without ':' or spaces")
        }
        return try await forward(to: remotePath, deadline: deadline)
    }

    /// A unix socket on this machine that reaches TCP `port` on the server's loopback (`127.0.0.1`)
    /// through the master: how the control plane talks to services that listen on the server's loopback
    /// only, like Caddy's admin API or the registry. Same lifetime and privacy as ``forwardUnixSocket(remotePath:deadline:)``.
    public func forwardLoopbackPort(_ port: Int, deadline: Duration = .seconds(30)) async throws -> String {
        guard (1...65535).contains(port) else { throw SSHError.forwardFailed("\(port) is not a TCP port") }
        return try await forward(to: "127.0.0.1:\(port)", deadline: deadline)
    }

    private func forward(to remote: String, deadline: Duration) async throws -> String {
        if let existing = forwards.first(where: { $0.remote == remote }) { return existing.local }
        let until = ContinuousClock.now.advanced(by: deadline)
        let master = try await LocalProcess.withDeadline(deadline) { try await self.ensureMaster(until: until) }
        if let existing = forwards.first(where: { $0.remote == remote }) { return existing.local }
        let forward = Forward(local: directory.forwardSocket(forwards.count + 1), remote: remote)
        try await requestForward(forward, master: master)
        forwards.append(forward)
        return forward.local
    }

    func requestForward(_ forward: Forward, master: Master) async throws {
        let argv = commandLine.control(
            "forward", controlPath: master.controlPath, extra: ["-L", "\(forward.local):\(forward.remote)"])
        let result = try await LocalProcess.run(
            argv, environment: commandLine.environment(askpass: false), timeout: .seconds(10))
        guard result.exitCode == 0 else {
            throw SSHError.forwardFailed(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }
}
