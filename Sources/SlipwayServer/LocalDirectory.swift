import Foundation
import SlipwayCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A directory on the control plane's own machine that the control plane must be able to write: a local
/// backup destination. Checked once, when it is named, so a wrong path is refused at once rather than at
/// the first backup, hours later.
enum LocalDirectory {
    /// Creates `path` (and the directories above it, 0700) when it is missing, then writes and removes a
    /// probe file in it. Anything in the way is a 422 on `field` that says what the system answered.
    static func ensureWritable(_ path: String, field: String) throws {
        var created = ""
        for component in path.split(separator: "/") {
            created += "/" + component
            var status = stat()
            if stat(created, &status) == 0 {
                guard status.st_mode & S_IFMT == S_IFDIR else {
                    throw SlipwayError.invalid(field, "\(created) exists and is not a directory")
                }
                continue
            }
            guard errno == ENOENT else { throw failure(field, "cannot look at \(created)") }
            guard mkdir(created, 0o700) == 0 || errno == EEXIST else {
                throw failure(field, "the control plane cannot create \(created)")
            }
        }
        let probe = (path.hasSuffix("/") ? path : path + "/") + ".slipway-probe-" + Identifier.secret(bytes: 6)
        let descriptor = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { throw failure(field, "the control plane cannot write in \(path)") }
        let written = Array("slipway".utf8).withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let writeError = errno
        close(descriptor)
        guard unlink(probe) == 0 else {
            throw failure(field, "the control plane wrote \(probe) but cannot remove it")
        }
        guard written == 7 else {
            errno = writeError
            throw failure(field, "the control plane cannot write in \(path)")
        }
    }

    /// `what`, with the system's reason for the last call's failure (`Permission denied`).
    private static func failure(_ field: String, _ what: String) -> SlipwayError {
        let reason = String(cString: strerror(errno))
        return SlipwayError.invalid(field, "\(what): \(reason)")
    }
}
