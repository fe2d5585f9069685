import Foundation
import SlipwayCore
import SlipwayStore
import SlipwayTesting
import Testing

@testable import SlipwayDrivers
@testable import SlipwayEngine

/// Deployments from a private repository: a Git host of the test's own (an sshd of its own serving the
/// test's repository, to the project's deploy key only when the test authorizes it), fetched by the
/// deployment's server with the project's deploy key.
@Suite("Deploy keys: clones", .serialized)
struct DeployKeyCloneTests {
    /// The Git host and the key it lets in.
    struct GitHost {
        let sshd: SSHTestServer

        /// `ssh://` for a repository of the test on this host.
        func url(_ repository: GitTestRepository) -> String {
            "ssh://\(SSHTestServer.keyUser)@127.0.0.1:\(sshd.port)\(repository.directory)"
        }

        /// Lets in only `publicKey` (sshd reads the file at each login).
        func authorize(_ publicKey: String) throws {
            try (publicKey + "\n").write(
                toFile: "\(sshd.directory)/authorized_keys/\(SSHTestServer.keyUser)", atomically: true, encoding: .utf8)
        }
    }

    /// A stage whose project fetches from a Git host of its own, with a deploy key stored for the project.
    static func withKeyedStage(
        overSSH: Bool, _ body: (DeploymentTests.Stage, GitHost, DeployKeyPair, _ mirror: String) async throws -> Void
    ) async throws {
        let sshd = try await SSHTestServer.start(label: "githost")
        defer {
            sshd.stop()
            try? FileManager.default.removeItem(atPath: sshd.directory)
        }
        let host = GitHost(sshd: sshd)
        try await DeploymentTests.withStage(first: DeploymentTests.app("1"), overSSH: overSSH) { stage in
            var project = stage.project
            project.repoUrl = host.url(stage.repository)
            project = try #require(try await stage.world.store.updateProject(project))
            let pair = DeployKeyPair.generate(comment: "slipway-\(project.id)")
            try await stage.world.store.setDeployKey(
                pair.record(projectId: project.id, createdAt: Date()), organizationId: project.organizationId,
                encryptedPrivateKey: try InstanceLifecycleTests.secrets.seal(pair.privateKey))
            let mirror =
                overSSH
                ? "/home/\(SSHTestServer.keyUser)/.slipway/repos/\(project.id).git"
                : NSHomeDirectory() + "/.slipway/repos/\(project.id).git"
            defer {
                for suffix in [".key", ".known_hosts"] { try? FileManager.default.removeItem(atPath: mirror + suffix) }
            }
            let keyed = DeploymentTests.Stage(
                world: stage.world, repository: stage.repository, project: project, instance: stage.instance,
                pipeline: stage.pipeline)
            try await body(keyed, host, pair, mirror)
        }
    }

    @Test("over SSH: the server fetches with the deploy key, pins the Git host's key, and keeps no key file")
    func deployWithKeyOverSSH() async throws {
        try await Self.withKeyedStage(overSSH: true) { stage, host, pair, mirror in
            try host.authorize(pair.publicKey)
            let first = try await DeploymentTests.deploy(stage, branch: "main")
            #expect(first.status == .completed, "\(first.error ?? "") \(DeploymentTests.statuses(first))")
            #expect(
                first.step(.clone)?.output.contains("with the deploy key \(pair.fingerprint)") == true,
                "\(first.step(.clone)?.output ?? "")")
            #expect(try await DeploymentTests.page(stage) == "200 version 1\n")
            #expect(!FileManager.default.fileExists(atPath: mirror + ".key"), "the key is removed after the fetch")
            // ssh hashes the host's name in the file (Debian's default); the key itself is there as it is.
            let pinned = try String(contentsOfFile: mirror + ".known_hosts", encoding: .utf8)
            let hostKey = try String(contentsOfFile: host.sshd.directory + "/ssh_host_ed25519_key.pub", encoding: .utf8)
                .split(separator: " ").prefix(2).joined(separator: " ")
            #expect(hostKey.hasPrefix("ssh-ed25519 AAAA") && pinned.contains(hostKey), "\(pinned)")

            // The second fetch brings the new commit, against the pinned host key.
            try await stage.repository.commit(DeploymentTests.app("2"), message: "second version")
            let second = try await DeploymentTests.deploy(stage, branch: "main")
            #expect(second.status == .completed, "\(second.error ?? "") \(DeploymentTests.statuses(second))")
            #expect(try await DeploymentTests.page(stage) == "200 version 2\n")

            // The key taken off the Git host: the deployment stops at the clone and says what to do.
            try host.authorize(DeployKeyPair.generate(comment: "someone else").publicKey)
            try await stage.repository.commit(DeploymentTests.app("3"), message: "third version")
            let refused = try await DeploymentTests.deploy(stage, branch: "main")
            Self.expectRefused(refused, pair)
            #expect(try await DeploymentTests.page(stage) == "200 version 2\n")
            let instance = try await InstanceLifecycleTests.reload(stage.world, stage.instance)
            #expect(instance.image == second.targets.first?.image)
            #expect(!FileManager.default.fileExists(atPath: mirror + ".key"), "the key is removed after a failure too")
        }
    }

    @Test("on the control plane's machine: a Git host without the deploy key fails the clone, asking for the key")
    func refusedThenAuthorized() async throws {
        try await Self.withKeyedStage(overSSH: false) { stage, host, pair, mirror in
            try host.authorize(DeployKeyPair.generate(comment: "someone else").publicKey)
            let refused = try await DeploymentTests.deploy(stage, branch: "main")
            Self.expectRefused(refused, pair)
            #expect(!FileManager.default.fileExists(atPath: mirror + ".key"), "the key is removed after the failure")
            let untouched = try await InstanceLifecycleTests.reload(stage.world, stage.instance)
            #expect(untouched.image == nil, "nothing ran")
            for color in [Instance.Color.blue, .green] {
                #expect(try await stage.world.docker.hasContainer(stage.instance.containerName(color)) == false)
            }

            try host.authorize(pair.publicKey)
            let deployed = try await DeploymentTests.deploy(stage, branch: "main")
            #expect(deployed.status == .completed, "\(deployed.error ?? "") \(DeploymentTests.statuses(deployed))")
            #expect(try await DeploymentTests.page(stage) == "200 version 1\n")
            #expect(!FileManager.default.fileExists(atPath: mirror + ".key"))
        }
    }

    /// Failed at the clone, nothing after it ran, and the error asks for this project's deploy key.
    static func expectRefused(_ deployment: Deployment, _ pair: DeployKeyPair) {
        #expect(deployment.status == .failed)
        #expect(deployment.step(.clone)?.status == .failed)
        #expect(deployment.step(.build)?.status == .skipped, "\(DeploymentTests.statuses(deployment))")
        #expect(deployment.step(.updateContainer)?.status == .skipped)
        let error = deployment.error ?? ""
        #expect(error.contains("the Git host refused access to ssh://"), "\(error)")
        #expect(error.contains("add the project's deploy key (\(pair.fingerprint))"), "\(error)")
        #expect(error.contains("`slipway project deploy-key`"), "\(error)")
        #expect(error.contains("Permission denied (publickey"), "\(error)")
    }
}
