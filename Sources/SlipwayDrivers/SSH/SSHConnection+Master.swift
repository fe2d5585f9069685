import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension SSHConnection {
    /// The live master, established first if there is none. One caller establishes while the others wait;
    /// after a failure the next attempt waits out the backoff, or fails at once with the last error when
    /// the caller's deadline comes before it.
    func ensureMaster(until deadline: ContinuousClock.Instant) async throws -> Master {
        if let master = liveMaster() { return master }
        try await establishing.acquire()
        defer { establishing.release() }
        if let master = liveMaster() { return master }
        guard !isClosed else { throw SSHError.closed }
        if let notBefore = retryNotBefore, notBefore > .now {
            guard notBefore <= deadline else {
                throw lastFailure ?? SSHError.unreachable("the last attempt to connect failed")
            }
            try await Task.sleep(until: notBefore, clock: .continuous)
        }
        do {
            let master = try await establish()
            guard !isClosed else {
                forget(master)  // close() ran while this master was being established
                throw SSHError.closed
            }
            self.master = master
            failures = 0
            lastFailure = nil
            retryNotBefore = nil
            return master
        } catch let error as SSHError {
            failures += 1
            lastFailure = error
            let delay = backoff.delay(afterFailures: failures)
            retryNotBefore = ContinuousClock.now.advanced(by: delay)
            logger.warning(
                "SSH connection failed",
                metadata: ["ssh.error": "\(error.code)", "ssh.failures": "\(failures)", "ssh.retryIn": "\(delay)"])
            throw error
        }
    }

    /// The master if its process still exists.
    func liveMaster() -> Master? {
        guard let master else { return nil }
        if kill(master.pid, 0) != 0, errno == ESRCH {
            logger.info("SSH master is gone", metadata: ["ssh.pid": "\(master.pid)"])
            self.master = nil
            return nil
        }
        return master
    }

    private func establish() async throws -> Master {
        guard directory.exists else { throw SSHError.closed }
        let controlPath = try await resolveControlPath()
        let strict = try await prepareKnownHosts()
        // A master that died without cleaning up leaves its socket, and a new `ssh -M` that finds one runs
        // without multiplexing, in the foreground, for ever. No live master owns it now: remove it.
        directory.remove(controlPath)
        try writeCredential()
        defer { removeCredential() }
        let result = try await LocalProcess.run(
            commandLine.master(strict: strict), environment: commandLine.environment(askpass: commandLine.needsAskpass),
            timeout: .seconds(45))
        guard result.exitCode == 0 else {
            let error = SSHFailure.masterFailed(
                stderr: result.stderr, exitCode: result.exitCode, privateDirectory: directory.path,
                keyHasPassphrase: commandLine.needsAskpass && target.credential.isEncryptedKey)
            if case .hostKeyMismatch(_, let found) = error { throw await mismatch(found: found) }
            throw error
        }
        guard let pid = await masterPID(controlPath) else {
            throw SSHError.unreachable("ssh authenticated but no master answers on its control socket")
        }
        let master = Master(controlPath: controlPath, pid: pid)
        if trustedFingerprint == nil {
            if let pin = target.pinnedHostKeyFingerprint {
                trustedFingerprint = pin
            } else if let recorded = try await scanner.fingerprint(ofFile: directory.knownHosts) {
                trustedFingerprint = recorded
            } else {
                forget(master)
                throw SSHError.localFailure("ssh accepted the host key but did not record it in known_hosts")
            }
        }
        logger.debug(
            "SSH master up",
            metadata: [
                "ssh.pid": "\(pid)", "ssh.hostKey": "\(trustedFingerprint ?? "")",
            ])
        await restoreForwards(master)
        return master
    }

    /// Writes known_hosts for this attempt; true when it holds a checked key (strict checking), false on
    /// first contact (ssh records the key it is shown).
    private func prepareKnownHosts() async throws -> Bool {
        if trustedFingerprint != nil { return true }
        guard let pin = target.pinnedHostKeyFingerprint else {
            try directory.store("", at: directory.knownHosts)
            return false
        }
        let keys = try await scanner.scan(host: target.host, port: target.port)
        let matching = keys.filter { $0.fingerprint == pin }
        guard !matching.isEmpty else {
            let found = HostKeyScanner.preferred(keys)?.fingerprint ?? "unknown"
            throw SSHError.hostKeyMismatch(expected: pin, found: found)
        }
        try directory.store(matching.map(\.line).joined(separator: "\n") + "\n", at: directory.knownHosts)
        return true
    }

    /// The error for a refused host key, with the fingerprint the server shows now (from ssh's message, or
    /// scanned when ssh did not print it).
    private func mismatch(found: String) async -> SSHError {
        var found = found
        if found.isEmpty, let keys = try? await scanner.scan(host: target.host, port: target.port),
            let preferred = HostKeyScanner.preferred(keys)
        {
            found = preferred.fingerprint
        }
        return .hostKeyMismatch(expected: hostKeyFingerprint ?? "none", found: found.isEmpty ? "unknown" : found)
    }

    private func writeCredential() throws {
        switch target.credential {
        case .privateKey(let pem, let passphrase):
            // ssh reads keys only with Unix line ends and a final newline.
            var text = pem.replacingOccurrences(of: "\r\n", with: "\n")
            if !text.hasSuffix("\n") { text += "\n" }
            try directory.store(text, at: directory.identity)
            if let passphrase { try writeAskpass(passphrase) }
        case .password(let password):
            try writeAskpass(password)
        }
    }

    private func writeAskpass(_ secret: String) throws {
        try directory.store(secret, at: directory.askpassSecret)
        try directory.store(SSHRuntimeDirectory.askpassScript, at: directory.askpass, mode: 0o700)
    }

    private func removeCredential() {
        directory.remove(directory.identity)
        directory.remove(directory.askpassSecret)
        directory.remove(directory.askpass)
    }

    /// The master's socket path, `%C` expanded by `ssh -G` (commands name it literally with `-S`).
    private func resolveControlPath() async throws -> String {
        if let controlPath { return controlPath }
        let result = try await LocalProcess.run(
            commandLine.resolvedConfiguration(), environment: commandLine.environment(askpass: false),
            timeout: .seconds(10))
        let line = result.stdout.split(whereSeparator: \.isNewline).first { $0.hasPrefix("controlpath ") }
        let path = line.map { String($0.dropFirst("controlpath ".count)) } ?? ""
        guard path.hasPrefix(directory.path + "/") else {
            throw SSHError.localFailure("ssh -G did not report the control path: \(result.stderr)")
        }
        controlPath = path
        return path
    }

    /// `ssh -O check` prints `Master running (pid=N)`.
    private func masterPID(_ controlPath: String) async -> pid_t? {
        let check = commandLine.control("check", controlPath: controlPath)
        guard
            let result = try? await LocalProcess.run(
                check, environment: commandLine.environment(askpass: false), timeout: .seconds(10)),
            let range = result.stderr.range(of: "pid=")
        else { return nil }
        return pid_t(result.stderr[range.upperBound...].prefix { $0.isNumber })
    }

    /// A new master has none of the old one's forwards: ask for them again, at the same local paths.
    private func restoreForwards(_ master: Master) async {
        for forward in forwards {
            do {
                try await requestForward(forward, master: master)
            } catch {
                logger.warning("cannot restore a socket forward", metadata: ["ssh.remote": "\(forward.remote)"])
            }
        }
    }
}
