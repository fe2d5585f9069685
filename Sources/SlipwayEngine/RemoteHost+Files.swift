import Foundation
import SlipwayCore
import SlipwayDrivers

extension RemoteHost {
    /// Writes `contents` into a new file at `path` that only the host's user can read (mode 0600): a file
    /// there before is removed first, and the new one is created exclusively, so nothing written earlier
    /// (or linked there) keeps other permissions. The contents go on standard input; the path is an argument.
    func writePrivateFile(_ contents: Data, to path: String, deadline: Duration = .seconds(60)) async throws {
        let result = try await run(
            ["sh", "-c", Self.privateFileScript, "slipway-write", path], stdin: contents, deadline: deadline)
        guard result.succeeded else {
            let said = (result.stderrText + result.stdoutText).trimmingCharacters(in: .whitespacesAndNewlines)
            throw SlipwayError(
                .internal, code: "file_write_failed",
                message: "could not write \(path) (exit \(result.exitCode)): \(said.suffix(500))")
        }
    }

    /// Removes the file at `path` if it is there.
    func removeFile(_ path: String, deadline: Duration = .seconds(60)) async throws {
        let result = try await run(["rm", "-f", "--", path], deadline: deadline)
        guard result.succeeded else {
            throw SlipwayError(
                .internal, code: "file_remove_failed",
                message: "could not remove \(path) (exit \(result.exitCode)): \(result.stderrText.suffix(500))")
        }
    }

    /// `$1` is the path. `set -C` makes `>` create the file exclusively (O_EXCL), with the umask's mode.
    private static var privateFileScript: String {
        #"umask 077 && rm -f -- "$1" && set -C && cat >"$1""#
    }
}
