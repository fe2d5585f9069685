import Foundation
import SlipwayCore
import SlipwayTesting
import Testing

@testable import SlipwayCLI

/// `slipway server add` and `remove` in-process against a live control plane on a loopback port.
@Suite("server add and remove")
struct ServerCommandTests {
    static let key = """
        -----BEGIN OPENSSH PRIVATE KEY-----
        b3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0AAAAGAAAABCx
        -----END OPENSSH PRIVATE KEY-----

        """

    /// Runs `body` with a CLI logged in to a fresh control plane as its owner, and a scratch directory.
    static func withCLI(
        _ body: @Sendable (TestControlPlane, InProcessCLI, TemporaryDirectory) async throws -> Void
    ) async throws {
        try await TestControlPlane.with { plane in
            try await plane.test(.live) { client in
                let port = try #require(client.port)
                let directory = try TemporaryDirectory()
                defer { directory.remove() }
                let cli = InProcessCLI(
                    home: directory.path,
                    extra: ["SLIPWAY_URL": "http://127.0.0.1:\(port)", "SLIPWAY_TOKEN": plane.ownerToken])
                try await body(plane, cli, directory)
            }
        }
    }

    @Test("add sends the passphrase from a file or a variable, and the engine settings; show prints them")
    func addWithPassphraseAndSettings() async throws {
        try await Self.withCLI { plane, cli, directory in
            let keyPath = directory.path + "/id_ed25519"
            let passphrasePath = directory.path + "/passphrase"
            try Data(Self.key.utf8).write(to: URL(fileURLWithPath: keyPath))
            try Data("correct horse\nsecond line ignored\n".utf8).write(to: URL(fileURLWithPath: passphrasePath))
            let added = await cli.run([
                "server", "add", "--name", "web1", "--host", "web1.example.test", "--user", "deploy",
                "--private-key-file", keyPath, "--passphrase-file", passphrasePath, "--docker-socket",
                "/run/user/1000/docker.sock", "--registry-port", "5050", "--proxy-admin-port", "12019",
                "--proxy-http-port", "8080", "--json",
            ])
            try #require(added.code == 0, "\(added.err)")
            #expect(!added.out.contains("correct horse"))
            let server = try JSONCoding.decoder().decode(Server.self, from: Data(added.out.utf8))
            #expect(server.dockerSocketPath == "/run/user/1000/docker.sock")
            #expect(server.registryPort == 5050 && server.proxyAdminPort == 12019 && server.proxyHTTPPort == 8080)
            let sealed = try #require(
                try await plane.store.encryptedPassphrase(organizationId: plane.organization.id, serverId: server.id))
            #expect(try plane.backend.secrets.open(sealed) == "correct horse")

            let shown = await cli.run(["server", "show", server.id])
            #expect(shown.code == 0, "\(shown.err)")
            for line in [
                "dockerSocketPath:", "/run/user/1000/docker.sock", "registryPort:", "5050", "proxyAdminPort:",
                "proxyHTTPPort:",
            ] {
                #expect(shown.out.contains(line), "\(shown.out)")
            }
            let proxyLine = shown.out.split(separator: "\n").first { $0.hasPrefix("proxyHTTPPort:") }
            #expect(proxyLine?.hasSuffix(" 8080") == true, "\(shown.out)")

            var fromVariable = cli
            fromVariable.variables["KEY_PASSPHRASE"] = "from the environment"
            let second = await fromVariable.run([
                "server", "add", "--name", "web2", "--host", "web2.example.test", "--user", "deploy",
                "--private-key-file", keyPath, "--passphrase-env", "KEY_PASSPHRASE", "--json",
            ])
            try #require(second.code == 0, "\(second.err)")
            let other = try JSONCoding.decoder().decode(Server.self, from: Data(second.out.utf8))
            #expect(other.dockerSocketPath == Server.defaultDockerSocketPath && other.registryPort == 5000)
            #expect(other.proxyHTTPPort == Server.defaultProxyHTTPPort)
            let otherSealed = try #require(
                try await plane.store.encryptedPassphrase(organizationId: plane.organization.id, serverId: other.id))
            #expect(try plane.backend.secrets.open(otherSealed) == "from the environment")

            let unset = await cli.run([
                "server", "add", "--name", "web3", "--host", "web3.example.test", "--user", "deploy",
                "--private-key-file", keyPath, "--passphrase-env", "NOT_SET_ANYWHERE",
            ])
            #expect(unset.code == 1)
            #expect(unset.err.contains("--passphrase-env"))
            #expect(try await plane.store.servers(organizationId: plane.organization.id).count == 3)
        }
    }

    @Test("remove refuses a server in use with the instances and the --force hint; --force removes it")
    func removeInUse() async throws {
        try await Self.withCLI { plane, cli, _ in
            let organizationId = plane.organization.id
            let server = Server(
                organizationId: organizationId, name: "web1", host: "10.0.0.5", user: "deploy", authMethod: .password)
            try await plane.store.createServer(server, encryptedCredential: "v1:sealed")
            let project = Project(
                organizationId: organizationId, name: "Shop", repoUrl: "https://h.test/a.git", kind: .odoo)
            try await plane.store.createProject(project)
            let environment = SlipwayCore.Environment(
                organizationId: organizationId, projectId: project.id, name: "Production", type: .production,
                branch: "main")
            try await plane.store.createEnvironment(environment)
            let instance = Instance(
                organizationId: organizationId, projectId: project.id, environmentId: environment.id,
                serverId: server.id, name: "shop-web")
            _ = try await plane.store.createInstance(instance, encryptedDatabasePassword: nil)

            let refused = await cli.run(["server", "remove", server.id, "--yes"])
            #expect(refused.code == 1)
            #expect(refused.err.contains("shop-web"), "\(refused.err)")
            #expect(refused.err.contains("--force"), "\(refused.err)")
            #expect(try await plane.store.server(organizationId: organizationId, id: server.id) != nil)

            let forced = await cli.run(["server", "remove", server.id, "--yes", "--force"])
            #expect(forced.code == 0, "\(forced.err)")
            #expect(forced.out.contains("nothing was stopped on the machine"))
            #expect(try await plane.store.server(organizationId: organizationId, id: server.id) == nil)
            #expect(try await plane.store.instance(organizationId: organizationId, id: instance.id) == nil)
        }
    }

    @Test(arguments: [
        ["--password-stdin", "--passphrase-env", "P"],
        ["--private-key-file", "/dev/null", "--passphrase-env", "P", "--passphrase-file", "/dev/null"],
        ["--private-key-file", "/dev/null", "--passphrase-file", "/nonexistent/passphrase"],
        ["--password-stdin", "--docker-socket", "docker.sock"],
        ["--password-stdin", "--docker-socket", "/var/run/docker sock"],
        ["--password-stdin", "--registry-port", "0"],
        ["--password-stdin", "--proxy-admin-port", "65536"],
        ["--password-stdin", "--proxy-http-port", "0"],
        ["--password-stdin", "--proxy-http-port", "2019"],
    ])
    func badSettingsAreUsageErrors(extra: [String]) async throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let result = await InProcessCLI(home: home.path).run(
            ["server", "add", "--name", "web", "--host", "h", "--user", "root"] + extra)
        #expect(result.code == 2, "\(extra): \(result.err)")
        #expect(!result.err.isEmpty)
    }

    @Test func passphraseIsTheFirstLine() throws {
        let create = ServerCommand.Create.self
        #expect(try create.passphrase(Data("pass phrase\n".utf8), from: "--passphrase-file") == "pass phrase")
        #expect(try create.passphrase(Data("pass\r\nnext".utf8), from: "--passphrase-file") == "pass")
        #expect(throws: CLIError.self) { try create.passphrase(Data("\n".utf8), from: "--passphrase-file") }
        #expect(throws: CLIError.self) { try create.passphrase(nil, from: "--passphrase-env") }
    }
}
