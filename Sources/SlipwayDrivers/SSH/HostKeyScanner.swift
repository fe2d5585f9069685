import Foundation

/// Learns a server's host keys with `ssh-keyscan` and their fingerprints with `ssh-keygen -l`, to write a
/// known_hosts file that holds only the pinned key. The scan itself proves nothing (anyone on the path
/// could answer it); the proof is the connection that follows, which `ssh` checks against that file with
/// `StrictHostKeyChecking=yes`.
struct HostKeyScanner: Sendable {
    struct ScannedKey: Sendable, Equatable {
        /// `[host]:port type base64`, as known_hosts holds it.
        var line: String
        var type: String
        var fingerprint: String
    }

    let keyscan: String
    let keygen: String
    let directory: SSHRuntimeDirectory
    let environment: [String: String]

    func scan(host: String, port: Int, timeout: Duration = .seconds(15)) async throws -> [ScannedKey] {
        let seconds = max(1, Int(timeout.components.seconds) - 2)
        let argv = [keyscan, "-T", String(seconds), "-p", String(port), "-t", "ed25519,ecdsa,rsa", "--", host]
        let result = try await LocalProcess.run(argv, environment: environment, timeout: timeout)
        var keys: [ScannedKey] = []
        for line in result.stdout.split(whereSeparator: \.isNewline).map(String.init)
        where !line.hasPrefix("#") && !line.isEmpty {
            let fields = line.split(separator: " ")
            guard fields.count >= 3, let fingerprint = try await fingerprint(ofKnownHostsLine: line) else { continue }
            keys.append(ScannedKey(line: line, type: String(fields[1]), fingerprint: fingerprint))
        }
        guard !keys.isEmpty else {
            let reason = result.stderr.split(whereSeparator: \.isNewline).filter { !$0.hasPrefix("#") }
                .joined(separator: "; ")
            throw SSHError.unreachable(
                reason.isEmpty ? "\(host):\(port) sent no host key (is an SSH server listening?)" : reason)
        }
        return keys
    }

    /// The fingerprint `ssh-keygen -lf` prints for one known_hosts line.
    func fingerprint(ofKnownHostsLine line: String) async throws -> String? {
        try directory.store(line + "\n", at: directory.scannedKey)
        defer { directory.remove(directory.scannedKey) }
        return try await fingerprint(ofFile: directory.scannedKey)
    }

    /// The fingerprint of the first key in a known_hosts or public key file.
    func fingerprint(ofFile path: String) async throws -> String? {
        let result = try await LocalProcess.run(
            [keygen, "-l", "-f", path], environment: environment, timeout: .seconds(10))
        guard result.exitCode == 0 else { return nil }
        return HostKeyFingerprint.first(in: result.stdout)
    }

    /// The key ssh negotiates when it knows none: its default order prefers ed25519, then ECDSA, then RSA.
    static func preferred(_ keys: [ScannedKey]) -> ScannedKey? {
        func rank(_ type: String) -> Int {
            if type.contains("ed25519") { return 0 }
            if type.hasPrefix("ecdsa") { return 1 }
            return 2
        }
        return keys.min { rank($0.type) < rank($1.type) }
    }
}
