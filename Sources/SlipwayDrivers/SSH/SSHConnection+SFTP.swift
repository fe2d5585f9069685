import Foundation

extension SSHConnection {
    /// Starts an SFTP session on the server: the `sftp` subsystem through this connection's master
    /// (`ssh -s ... sftp`), then INIT and VERSION 3. The session holds one of `maxSessions` until it is
    /// closed (or its `ssh` ends).
    ///
    /// Like a command, it is started again only when it provably never reached the server: no master
    /// behind the socket (a new one is established first), or the server refused another session.
    /// `deadline` bounds the start; `requestTimeout` each reply afterwards. A server without an sftp
    /// subsystem (or whose sftp program fails before VERSION) gives `SFTPError` `subsystemUnavailable`;
    /// SSH-level failures are `SSHError`s.
    public nonisolated func sftp(deadline: Duration = .seconds(30), requestTimeout: Duration = .seconds(60))
        async throws -> SFTPSession
    {
        let until = ContinuousClock.now.advanced(by: deadline)
        return try await LocalProcess.withDeadline(deadline) {
            var refusals = 0
            while true {
                let master = try await self.ensureMaster(until: until)
                let end: SFTPChannel.End
                do {
                    return try await self.startSFTP(master: master, requestTimeout: requestTimeout)
                } catch let failure as SFTPChannel.End {
                    end = failure
                }
                let start = SFTPCall(.start, "")
                guard case .exited(let exitCode, let stderr) = end else { throw start.error(for: end) }
                let said = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
                guard exitCode == 255 else {
                    // The server ran its sftp program, which ended before answering INIT.
                    throw start.error(
                        .subsystemUnavailable,
                        "the server's sftp program exited with status \(exitCode)" + (said.isEmpty ? "" : ": \(said)"))
                }
                switch SSHFailure.client(stderr: stderr) {
                case .noMaster:
                    self.logger.debug("no master behind the control socket; establishing a new one")
                    await self.forget(master)
                case .sessionRefused:
                    refusals += 1
                    try await Task.sleep(for: min(.milliseconds(50 * refusals), .seconds(1)))
                case .masterLost(let reason):
                    await self.forget(master)
                    throw SSHError.connectionLost(reason)
                case .remoteExit:
                    // Through a master, a refused subsystem ends the client with 255 and no message (the master
                    // alone logs "subsystem request failed"); without a master, ssh prints that itself.
                    let masterAlive = await self.liveMaster() != nil
                    if said.contains("subsystem request failed") || (said.isEmpty && masterAlive) {
                        throw start.error(.subsystemUnavailable)
                    }
                    throw start.error(for: end)
                }
            }
        }
    }

    /// One attempt: a session slot, an `ssh -s` client with streaming input, the handshake. The slot is
    /// given back when that `ssh` ends, whether the attempt succeeded or not.
    private nonisolated func startSFTP(master: Master, requestTimeout: Duration) async throws -> SFTPSession {
        try await sessions.acquire()
        let process: LocalProcess
        do {
            process = try LocalProcess.start(
                commandLine.subsystem(controlPath: master.controlPath, name: "sftp"),
                environment: commandLine.environment(askpass: false), input: .stream)
        } catch {
            sessions.release()
            throw SSHError.localFailure("cannot start ssh: \(error)")
        }
        let sessions = self.sessions
        return try await SFTPSession.start(process: process, requestTimeout: requestTimeout) {
            sessions.release()
        }
    }
}
