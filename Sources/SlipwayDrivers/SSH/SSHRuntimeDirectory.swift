import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One connection's private directory (mode 0700): its ControlMaster socket, its own known_hosts file,
/// forwarded sockets, and, only while the master authenticates, the key or askpass secret (mode 0600).
struct SSHRuntimeDirectory: Sendable {
    let path: String

    /// Makes `ROOT/slipway-ssh-XXXXXX`. Keep `root` short: the socket paths inside must fit in 108 bytes.
    static func create(root: String) throws(SSHError) -> SSHRuntimeDirectory {
        var root = root
        while root.count > 1, root.hasSuffix("/") { root.removeLast() }
        // The master's socket is DIR/ + 40 hex digits, and unix socket paths end at 107 bytes (103 on macOS).
        guard root.utf8.count + "/slipway-ssh-XXXXXX/".utf8.count + 40 <= 100 else {
            throw .localFailure("the runtime directory \(root) is too long for unix socket paths; use a shorter one")
        }
        var template = Array("\(root)/slipway-ssh-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer -> Bool in
            guard let base = buffer.baseAddress else { return false }
            return mkdtemp(base) != nil
        }
        guard made else { throw .localFailure("cannot create a private directory under \(root): errno \(errno)") }
        let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard chmod(path, 0o700) == 0 else { throw .localFailure("cannot make \(path) private: errno \(errno)") }
        return SSHRuntimeDirectory(path: path)
    }

    var knownHosts: String { path + "/known_hosts" }
    var identity: String { path + "/identity" }
    var askpass: String { path + "/askpass" }
    var askpassSecret: String { path + "/askpass-secret" }
    var scannedKey: String { path + "/scanned-key" }
    /// `%C` is ssh's hash of local host, remote host, port and user.
    var controlPathPattern: String { path + "/%C" }

    func forwardSocket(_ number: Int) -> String { path + "/forward-\(number).sock" }

    /// The askpass program ssh runs for a password or key passphrase. The text is fixed: it prints the
    /// secret file next to it, so no secret and no user input ever becomes part of a script.
    static let askpassScript = """
        #!/bin/sh
        exec cat -- "${0%/*}/askpass-secret"

        """

    /// Writes `text` to a new file only the owner can read (`mode`), replacing any older one.
    func store(_ text: String, at file: String, mode: mode_t = 0o600) throws(SSHError) {
        unlink(file)
        let descriptor = open(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw .localFailure("cannot create \(file): errno \(errno)") }
        defer { close(descriptor) }
        guard fchmod(descriptor, mode) == 0 else { throw .localFailure("cannot set the mode of \(file)") }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return write(descriptor, base + written, buffer.count - written)
            }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw .localFailure("cannot write \(file): errno \(errno)") }
            written += count
        }
    }

    func read(_ file: String) -> String? {
        try? String(contentsOfFile: file, encoding: .utf8)
    }

    func remove(_ file: String) {
        unlink(file)
    }

    /// Removes the directory and everything in it.
    func removeAll() {
        try? FileManager.default.removeItem(atPath: path)
    }

    var exists: Bool { FileManager.default.fileExists(atPath: path) }
}
