import Foundation
import SlipwayCore
import SlipwayDrivers
import SlipwayStore

/// A project's deploy key opened for a fetch: its record (the fingerprint names it in messages) and the
/// private key file. It lives only as long as the clone step.
struct OpenedDeployKey: Sendable {
    let key: DeployKey
    let privateKey: String

    /// The project's stored deploy key, opened with the secret key; nil when the project has none.
    static func load(organizationId: String, projectId: String, store: any Store, secrets: SecretBox) async throws
        -> OpenedDeployKey?
    {
        guard let key = try await store.deployKey(organizationId: organizationId, projectId: projectId),
            let sealed = try await store.encryptedDeployPrivateKey(organizationId: organizationId, projectId: projectId)
        else { return nil }
        return OpenedDeployKey(key: key, privateKey: try secrets.open(sealed))
    }
}

extension GitMirror {
    /// Where the deploy key is written on the server for a fetch, next to the mirror (mode 0600).
    var keyFile: String { directory + ".key" }
    /// The Git host's key, pinned at the first fetch with the deploy key.
    var knownHostsFile: String { directory + ".known_hosts" }

    /// Fetches with the deploy key: writes it on the server, runs git with an ssh that uses only that key,
    /// and removes it again, whether the fetch succeeded or not. A fetch cut off by the control plane's
    /// shutdown (or a lost connection) can leave the key behind; the next fetch replaces it and removes it.
    func fetch(with deployKey: OpenedDeployKey) async throws {
        // git runs ssh in the mirror, so ssh is given the paths as seen from there: the mirror's directory may
        // be relative to the SSH session's start, which is not where ssh runs.
        let name = directory.split(separator: "/").last.map(String.init) ?? directory
        let identity: GitCommand.SSHIdentity
        do {
            identity = try GitCommand.SSHIdentity(keyFile: "../\(name).key", knownHostsFile: "../\(name).known_hosts")
        } catch {
            throw DeploymentFailure("the mirror's deploy key cannot be used: \(error)")
        }
        try await host.writePrivateFile(Data(deployKey.privateKey.utf8), to: keyFile)
        let result: CommandResult
        do {
            result = try await host.run(GitCommand.fetch(directory, url: url, identity: identity), deadline: deadline)
        } catch {
            try? await host.removeFile(keyFile)
            throw error
        }
        var removal: (any Error)?
        do {
            try await host.removeFile(keyFile)
        } catch {
            removal = error
        }
        do {
            try checkFetch(result, key: deployKey.key)
        } catch {
            guard let removal else { throw error }
            throw DeploymentFailure("\(error); and the deploy key stayed on the server: \(removal)")
        }
        if let removal {
            throw DeploymentFailure("the deploy key could not be removed from the server after the fetch: \(removal)")
        }
    }

    /// Turns a failed fetch into what the user can do about it: a Git host that refused access asks for the
    /// project's deploy key.
    func checkFetch(_ result: CommandResult, key: DeployKey?) throws {
        guard !result.succeeded else { return }
        let said = (result.stderrText + result.stdoutText).trimmingCharacters(in: .whitespacesAndNewlines)
        let gitSaid = "git said: \(said.suffix(1_000))"
        switch GitCommand.FetchRefusal(output: said) {
        case .accessDenied where GitCommand.usesSSH(url):
            let named = key.map { " (\($0.fingerprint))" } ?? ""
            throw DeploymentFailure(
                "the Git host refused access to \(url): add the project's deploy key\(named) to the repository on "
                    + "the Git host as a read-only deploy key (its public key is shown by `slipway project deploy-key`), "
                    + "then deploy again; \(gitSaid)")
        case .accessDenied:
            throw DeploymentFailure(
                "the Git host refused access to \(url): for a private repository, use its SSH URL "
                    + "(ssh://... or git@host:owner/repo.git) and add the project's deploy key to the repository on the "
                    + "Git host (its public key is shown by `slipway project deploy-key`); \(gitSaid)")
        case .hostKeyChanged where key != nil:
            throw DeploymentFailure(
                "the SSH key of the Git host of \(url) is not the one it showed at the first fetch: if the host was "
                    + "really replaced, remove \(knownHostsFile) on the server and deploy again; \(gitSaid)")
        case .hostKeyChanged, nil:
            throw DeploymentFailure("git could not fetch \(url) (exit \(result.exitCode)): \(said.suffix(2_000))")
        }
    }
}
