import Foundation

/// Reads what `ssh` printed on standard error when it failed, and names the failure. Pure, so each rule
/// can be tested with the real messages of OpenSSH.
enum SSHFailure {
    /// Why a master could not be established (ssh exited non-zero before backgrounding).
    /// `keyHasPassphrase`: the key was given with a passphrase. ssh reads it through askpass and, when it
    /// does not decrypt the key, only says the server denied the login; the error then names the passphrase.
    static func masterFailed(
        stderr: String, exitCode: Int32, privateDirectory: String, keyHasPassphrase: Bool = false
    ) -> SSHError {
        let text = stderr.replacingOccurrences(of: privateDirectory + "/", with: "")
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        let summary = lines.filter { !$0.isEmpty }.suffix(3).joined(separator: "; ")
        func has(_ needle: String) -> Bool { text.localizedCaseInsensitiveContains(needle) }

        if has("REMOTE HOST IDENTIFICATION HAS CHANGED") || has("Host key verification failed")
            || has("host key for") && has("has changed")
        {
            return .hostKeyMismatch(expected: "", found: HostKeyFingerprint.first(in: text) ?? "")
        }
        if has("incorrect passphrase") {
            return .authenticationFailed("the private key could not be decrypted with the stored passphrase")
        }
        if has("Load key") && (has("invalid format") || has("error in libcrypto")) {
            return .authenticationFailed("the private key is not in a format ssh can read")
        }
        if has("Permission denied") || has("Too many authentication failures") {
            let detail = "the server answered \(permissionDetail(lines) ?? "Permission denied")"
            return .authenticationFailed(
                keyHasPassphrase
                    ? detail + " (is the key's passphrase the right one, and its public key authorized?)" : detail)
        }
        if summary.isEmpty {
            return .unreachable("ssh exited with status \(exitCode) and no message")
        }
        return .unreachable(summary)
    }

    /// `Permission denied (publickey,password).` without the `user@host: ` before it.
    private static func permissionDetail(_ lines: [String]) -> String? {
        guard let line = lines.first(where: { $0.contains("Permission denied") }),
            let range = line.range(of: "Permission denied")
        else { return nil }
        var detail = String(line[range.lowerBound...])
        if detail.hasSuffix(".") { detail.removeLast() }
        return detail
    }

    /// What a client (a command through the master) exiting with 255 means.
    enum ClientOutcome: Equatable {
        /// The remote command itself exited 255.
        case remoteExit
        /// There was no master to talk to; the command never started.
        case noMaster
        /// The server refused another session (MaxSessions); the command never started.
        case sessionRefused
        /// The master went away while the command ran.
        case masterLost(String)
    }

    static func client(stderr: String) -> ClientOutcome {
        // The marker, or what ssh itself says when the stand-in ProxyCommand gave it no server.
        if stderr.contains(SSHCommandLine.noMasterMarker)
            || stderr.contains("Control socket connect(") && stderr.contains("Connection closed by UNKNOWN port 65535")
        {
            return .noMaster
        }
        if stderr.contains("mux_client_request_session: session request failed")
            || stderr.contains("Session open refused")
        {
            return .sessionRefused
        }
        let lost = [
            "mux_client_read_packet", "read from master failed", "mux_client_hello_exchange",
            "Control socket connect", "master hung up",
        ]
        if let line = stderr.split(whereSeparator: \.isNewline).last(where: { line in
            lost.contains(where: { line.contains($0) })
        }) {
            return .masterLost(String(line).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return .remoteExit
    }

    /// Lines the local ssh client prints before a command starts, held back from a stream until we know
    /// the command did start (if it did not, they are dropped and the command is sent again).
    static func isClientPreamble(_ line: String) -> Bool {
        line.hasPrefix("Control socket connect(") || line.contains(SSHCommandLine.noMasterMarker)
            || line.hasPrefix("mux_client_request_session:") || line.hasPrefix("kex_exchange_identification:")
            || line.hasPrefix("Connection closed by UNKNOWN")
    }
}
