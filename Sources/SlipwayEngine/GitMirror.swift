import Foundation
import SlipwayCore
import SlipwayDrivers

/// A project's repository on one server: a bare mirror under the server user's `.slipway/repos/`, fetched
/// before each deployment (only what changed comes over), from which the deployment's commit is resolved
/// and archived as the build context. Every command is an argv array (``GitCommand``).
struct GitMirror {
    let host: any RemoteHost
    let directory: String
    let url: String
    /// The project's deploy key, opened: a fetch over SSH authenticates with it.
    let deployKey: OpenedDeployKey?
    var deadline: Duration = .seconds(600)

    /// The mirror of `project` on `server`. The local machine keeps it under the control plane user's home;
    /// an SSH server under its user's home (where the SSH session starts).
    init(project: Project, server: Server, host: any RemoteHost, deployKey: OpenedDeployKey? = nil) {
        let root = server.authMethod == .local ? NSHomeDirectory() + "/.slipway/repos" : ".slipway/repos"
        self.host = host
        self.directory = "\(root)/\(project.id).git"
        self.url = project.repoUrl
        self.deployKey = deployKey
    }

    /// Fetches every branch and tag (with the deploy key, when there is one and the URL is SSH's); says
    /// what it did.
    func fetch() async throws -> String {
        _ = try await run(GitCommand.initMirror(directory), "prepare the mirror")
        if let deployKey, GitCommand.usesSSH(url) {
            try await fetch(with: deployKey)
            return "fetched \(url) into \(directory) on the server with the deploy key \(deployKey.key.fingerprint)"
        }
        try checkFetch(try await host.run(GitCommand.fetch(directory, url: url), deadline: deadline), key: nil)
        return "fetched \(url) into \(directory) on the server"
    }

    /// The commit a ref names, described.
    func commit(_ ref: GitCommand.Ref) async throws -> GitCommit {
        let resolved = try await host.run(GitCommand.resolve(directory, ref), deadline: .seconds(60))
        let sha = resolved.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        guard resolved.succeeded, !sha.isEmpty else {
            throw DeploymentFailure("\(ref) is not in \(url)")
        }
        let described = try await run(GitCommand.describe(directory, sha: sha), "describe \(sha)")
        guard let commit = GitCommit(describeOutput: described.stdoutText) else {
            throw DeploymentFailure("git log did not describe \(sha): \(described.stdoutText.prefix(200))")
        }
        return commit
    }

    /// The commit's tree as a tar archive.
    func archive(_ sha: String) async throws -> Data {
        try await run(GitCommand.archive(directory, sha: sha), "archive \(sha)").stdout
    }

    /// The paths changed between two commits; nil when `from` is no longer in the repository.
    func changedPaths(from: String, to: String) async throws -> [String]? {
        let result = try await host.run(GitCommand.changedPaths(directory, from: from, to: to), deadline: deadline)
        guard result.succeeded else { return nil }
        return Self.lines(result.stdoutText)
    }

    /// Every file of a commit.
    func files(_ sha: String) async throws -> [String] {
        Self.lines(try await run(GitCommand.listFiles(directory, sha: sha), "list the files of \(sha)").stdoutText)
    }

    private func run(_ argv: [String], _ what: String) async throws -> CommandResult {
        let result = try await host.run(argv, deadline: deadline)
        guard result.succeeded else {
            let said = (result.stderrText + result.stdoutText).trimmingCharacters(in: .whitespacesAndNewlines)
            throw DeploymentFailure("git could not \(what) (exit \(result.exitCode)): \(said.suffix(2_000))")
        }
        return result
    }

    private static func lines(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    }
}
