import Foundation

extension GitCommand {
    /// The key git's ssh authenticates with (a project's deploy key), and the known-hosts file that pins the
    /// Git host's key at the first fetch. Both paths are Slipway's own, next to the mirror; they reach ssh
    /// through `GIT_SSH_COMMAND`, which git hands to a shell, so they become shell text only through
    /// `ShellQuoting`. ssh expands `~` and `%` tokens in these two options, and splits the known-hosts value on
    /// blanks, so a path holding anything but letters, digits and `._/+@-` is refused.
    public struct SSHIdentity: Sendable, Equatable {
        public let keyFile: String
        public let knownHostsFile: String
        /// The value of `GIT_SSH_COMMAND`: only this key, no prompt, the host key pinned at first contact.
        public let sshCommand: String

        /// Relative paths are taken from the directory ssh runs in: the mirror, where git runs.
        public init(keyFile: String, knownHostsFile: String) throws(GitCommandError) {
            for path in [keyFile, knownHostsFile] where !Self.isPlain(path) {
                throw .unsafePath(path)
            }
            self.keyFile = keyFile
            self.knownHostsFile = knownHostsFile
            do {
                sshCommand = try ShellQuoting.quote([
                    "ssh", "-i", keyFile, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
                    "-o", "UserKnownHostsFile=\(knownHostsFile)", "-o", "StrictHostKeyChecking=accept-new",
                ])
            } catch {
                throw .unsafePath(keyFile)
            }
        }

        private static func isPlain(_ path: String) -> Bool {
            !path.isEmpty && !path.hasPrefix("-")
                && path.unicodeScalars.allSatisfy {
                    $0.isASCII && ($0.properties.isAlphabetic || "0123456789._/+@-".unicodeScalars.contains($0))
                }
        }
    }

    /// Whether git reaches `url` over SSH (`ssh://`, `git+ssh://`, or scp-like `user@host:path`), the only
    /// transport a deploy key serves. As git reads it: without `://`, a slash before the first colon makes a
    /// local path.
    public static func usesSSH(_ url: String) -> Bool {
        if let scheme = url.range(of: "://").map({ url[..<$0.lowerBound].lowercased() }) {
            return ["ssh", "git+ssh", "ssh+git"].contains(scheme)
        }
        guard let colon = url.firstIndex(of: ":") else { return false }
        return !url[..<colon].contains("/")
    }

    /// Why a fetch failed, read from what git and ssh printed.
    public enum FetchRefusal: Sendable, Equatable {
        /// The Git host did not let us in, or did not show us the repository (hosts answer "not found" to a
        /// key without access, so as not to reveal private repositories).
        case accessDenied
        /// The Git host's SSH key differs from the one pinned at the first fetch.
        case hostKeyChanged

        public init?(output: String) {
            let text = output.lowercased()
            if text.contains("host key verification failed") || text.contains("remote host identification has changed")
            {
                self = .hostKeyChanged
            } else if Self.accessDeniedMarks.contains(where: text.contains) {
                self = .accessDenied
            } else {
                return nil
            }
        }

        private static let accessDeniedMarks = [
            "permission denied (publickey", "permission denied, please try again", "repository not found",
            "access denied", "could not be found or you don't have permission", "authentication failed",
            "could not read username", "could not read password", "invalid username or password",
        ]
    }
}

/// A git command that could not be built.
public enum GitCommandError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A path for ssh holds characters ssh or the shell would read as more than a path.
    case unsafePath(String)

    public var description: String {
        switch self {
        case .unsafePath(let path):
            "\(path.debugDescription) cannot be given to ssh: only letters, digits and ._/+@- are allowed"
        }
    }
}
