/// Where and as whom to connect over SSH: one registered server and its credential.
///
/// A value with no behaviour; `SSHConnection` does the work. The credential comes decrypted from the
/// store's secrets and only ever reaches disk as a 0600 file inside the connection's private directory,
/// for as long as the connection takes to authenticate.
public struct SSHTarget: Sendable, Equatable {
    /// How the server knows us.
    public enum Credential: Sendable, Equatable {
        /// An OpenSSH or PEM private key of any type the system `ssh` reads (ed25519, ECDSA, RSA), with the
        /// passphrase when the key is encrypted.
        case privateKey(pem: String, passphrase: String?)
        /// A password for the `password` or `keyboard-interactive` method.
        case password(String)

        /// A private key given with a passphrase.
        var isEncryptedKey: Bool {
            if case .privateKey(_, let passphrase?) = self { return !passphrase.isEmpty }
            return false
        }
    }

    /// Host name or IP address, as `ssh` takes it (no `user@`, no `ssh://`).
    public var host: String
    public var port: Int
    public var user: String
    public var credential: Credential
    /// The host key fingerprint the server must present, as `ssh-keygen -lf` prints it (`SHA256:...`).
    /// `nil` on first contact: the connection then records the key it sees and reports its fingerprint.
    public var pinnedHostKeyFingerprint: String?

    public init(
        host: String, port: Int = 22, user: String, credential: Credential, pinnedHostKeyFingerprint: String? = nil
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.credential = credential
        self.pinnedHostKeyFingerprint = pinnedHostKeyFingerprint
    }

    /// Refuses values that `ssh` would read as options or as something other than a plain host and user.
    public func validate() throws(SSHError) {
        let hostAllowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:%[]")
        guard !host.isEmpty, !host.hasPrefix("-"), host.allSatisfy({ hostAllowed.contains($0) }) else {
            throw .invalidTarget(field: "host", "'\(host)' is not a host name or IP address")
        }
        guard (1...65_535).contains(port) else {
            throw .invalidTarget(field: "port", "\(port) is not a TCP port (1 to 65535)")
        }
        let userForbidden = Set("@:/ \t\r\n")
        guard !user.isEmpty, !user.hasPrefix("-"), user.count <= 64,
            !user.contains(where: {
                userForbidden.contains($0) || $0.isNewline || $0.asciiValue.map { $0 < 32 } == true
            })
        else {
            throw .invalidTarget(field: "user", "'\(user)' is not a user name ssh can log in as")
        }
        if let pin = pinnedHostKeyFingerprint, !HostKeyFingerprint.isWellFormed(pin) {
            throw .invalidTarget(field: "hostKeyFingerprint", "'\(pin)' is not a SHA256:... fingerprint")
        }
        switch credential {
        case .password(let password):
            guard !password.isEmpty, !password.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\0" }) else {
                throw .invalidTarget(field: "credential", "a password must be non-empty and on one line")
            }
        case .privateKey(let pem, let passphrase):
            guard pem.contains("PRIVATE KEY-----") else {
                throw .invalidTarget(field: "credential", "the private key is not in OpenSSH or PEM format")
            }
            if let passphrase, passphrase.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\0" }) {
                throw .invalidTarget(field: "credential", "a key passphrase must be on one line")
            }
        }
    }
}

/// `SHA256:` followed by unpadded base64, as OpenSSH prints host key fingerprints.
public enum HostKeyFingerprint {
    /// Whether `fingerprint` has the shape `SHA256:` + 43 characters of unpadded base64.
    public static func isWellFormed(_ fingerprint: String) -> Bool {
        guard fingerprint.hasPrefix("SHA256:") else { return false }
        let body = fingerprint.dropFirst("SHA256:".count)
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        return body.count == 43 && body.allSatisfy { alphabet.contains($0) }
    }

    /// The first `SHA256:...` fingerprint in a line of `ssh-keygen -l` or `ssh` output.
    public static func first(in text: String) -> String? {
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "." }) {
            let candidate = String(word)
            if isWellFormed(candidate) { return candidate }
        }
        return nil
    }
}
