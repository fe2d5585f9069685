import Foundation

/// The git commands a deployment runs on a server, as argv arrays: a bare mirror of the project's
/// repository per server, fetched before each deployment, from which a commit is resolved, described and
/// archived as the build context. User input (the URL, a ref) only ever lands in one argv element, after
/// `--` or behind a fixed `refs/...` prefix, and is checked by the caller (`Validation.gitRef`, `.repoURL`).
public enum GitCommand {
    /// `git` with the options every command takes: no prompt for credentials (a deployment has no
    /// terminal), and the mirror trusted whoever owns it (git refuses repositories of other users). `ssh` is
    /// the ssh command for a fetch with a deploy key (``SSHIdentity/sshCommand``).
    static func git(_ directory: String?, _ arguments: [String], ssh: String? = nil) -> [String] {
        // `env` first: no terminal prompt, and ssh fails rather than asks about an unknown host key.
        var argv = [
            "env", "GIT_TERMINAL_PROMPT=0", "GIT_SSH_COMMAND=\(ssh ?? "ssh -o BatchMode=yes")",
            "git", "-c", "safe.directory=*", "-c", "credential.helper=",
        ]
        if let directory { argv += ["-C", directory] }
        return argv + arguments
    }

    /// Makes the bare mirror at `directory` (and its parents); running it again on an existing one is harmless.
    public static func initMirror(_ directory: String) -> [String] {
        git(nil, ["init", "--bare", "--quiet", "--", directory])
    }

    /// Fetches every branch and tag of `url` into the mirror, replacing moved refs and dropping deleted ones;
    /// over SSH with `identity` (the project's deploy key) when given.
    public static func fetch(_ directory: String, url: String, identity: SSHIdentity? = nil) -> [String] {
        git(
            directory,
            [
                // git clears `-c` settings for the upload-pack it runs for a local repository; a repository
                // on the server owned by another user is fetched only with the setting given to it as well.
                "fetch", "--quiet", "--force", "--prune", "--no-write-fetch-head",
                "--upload-pack=git -c 'safe.directory=*' upload-pack", "--", url,
                "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*",
            ], ssh: identity?.sshCommand)
    }

    /// Which commit a ref names in the mirror: prints its full sha.
    public static func resolve(_ directory: String, _ ref: Ref) -> [String] {
        git(directory, ["rev-parse", "--verify", "--quiet", "--end-of-options", ref.revision])
    }

    /// A commit's sha, author and subject, one per line.
    public static func describe(_ directory: String, sha: String) -> [String] {
        git(directory, ["log", "-1", "--no-decorate", "--format=%H%n%an <%ae>%n%s", "--end-of-options", sha])
    }

    /// The commit's tree as a tar archive on standard output: the build context, without `.git`.
    public static func archive(_ directory: String, sha: String) -> [String] {
        git(directory, ["archive", "--format=tar", "--end-of-options", sha])
    }

    /// The paths that differ between two commits, one per line.
    public static func changedPaths(_ directory: String, from: String, to: String) -> [String] {
        git(directory, ["diff", "--name-only", "--no-renames", "--end-of-options", from, to])
    }

    /// Every file path of a commit, one per line.
    public static func listFiles(_ directory: String, sha: String) -> [String] {
        git(directory, ["ls-tree", "-r", "--name-only", "--full-tree", "--end-of-options", sha])
    }

    /// What a deployment asks for: a commit (full or abbreviated), a tag or a branch.
    public enum Ref: Sendable, Equatable, CustomStringConvertible {
        case commit(String)
        case tag(String)
        case branch(String)

        /// The revision git resolves: always a commit, never a file path or an option.
        var revision: String {
            switch self {
            case .commit(let sha): "\(sha)^{commit}"
            case .tag(let name): "refs/tags/\(name)^{commit}"
            case .branch(let name): "refs/heads/\(name)^{commit}"
            }
        }

        public var description: String {
            switch self {
            case .commit(let sha): "commit \(sha)"
            case .tag(let name): "tag \(name)"
            case .branch(let name): "branch \(name)"
            }
        }
    }
}

/// A commit as a deployment records it.
public struct GitCommit: Sendable, Equatable {
    public var sha: String
    public var author: String
    public var message: String

    public init(sha: String, author: String, message: String) {
        self.sha = sha
        self.author = author
        self.message = message
    }

    /// Reads the output of ``GitCommand/describe(_:sha:)``.
    public init?(describeOutput: String) {
        let lines = describeOutput.split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false).map(
            String.init)
        guard lines.count >= 2, lines[0].count == 40 || lines[0].count == 64 else { return nil }
        self.init(
            sha: lines[0], author: lines[1],
            message: lines.count > 2 ? lines[2].trimmingCharacters(in: .newlines) : "")
    }
}
