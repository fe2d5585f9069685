import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SlipwayCore
import SlipwayTesting
import Testing

@testable import SlipwayCLI

/// `slipway webhook` and `slipway project deploy-key` against a live control plane. Deliveries are built and
/// signed the way each provider builds them (`ProviderDelivery`) and posted to the same control plane; no job
/// runner runs, so a delivery that deploys only queues its deployment.
@Suite("webhook command")
struct WebhookCommandTests {
    /// A live control plane, the CLI logged in to it as the owner, and a client that posts as a Git host does.
    static func withCLI(
        _ body: @Sendable (TestControlPlane, InProcessCLI, any TestClientProtocol) async throws -> Void
    ) async throws {
        try await TestControlPlane.with { plane in
            try await plane.test(.live) { client in
                let port = try #require(client.port)
                let directory = try TemporaryDirectory()
                defer { directory.remove() }
                let cli = InProcessCLI(
                    home: directory.path,
                    extra: ["SLIPWAY_URL": "http://127.0.0.1:\(port)", "SLIPWAY_TOKEN": plane.ownerToken])
                try await body(plane, cli, client)
            }
        }
    }

    /// `project create` through the CLI, which gives the project its deploy key.
    static func project(_ cli: InProcessCLI) async throws -> Project {
        let created = await cli.run([
            "project", "create", "--name", "Shop", "--repo-url", "git@git.example.test:team/shop.git", "--kind",
            "generic", "--json",
        ])
        try #require(created.code == 0, "\(created.err)")
        return try JSONCoding.decoder().decode(Project.self, from: Data(created.out.utf8))
    }

    /// The value of the `key: value` line named `key` in `text`.
    static func field(_ key: String, in text: String) -> String? {
        text.split(separator: "\n").first { $0.hasPrefix(key + ":") }
            .map { $0.dropFirst(key.count + 1).trimmingCharacters(in: .whitespaces) }
    }

    /// `webhook configure` for `provider`, its output, and the secret it printed.
    static func configure(_ cli: InProcessCLI, _ projectId: String, _ provider: GitProvider) async throws -> (
        out: String, err: String, secret: String
    ) {
        let result = await cli.run(["webhook", "configure", "--project", projectId, "--provider", provider.rawValue])
        try #require(result.code == 0, "\(result.err)")
        return (result.out, result.err, try #require(field("secret", in: result.out), "\(result.out)"))
    }

    /// Posts `delivery` to the project's endpoint as the provider would; answers the status.
    static func deliver(_ client: any TestClientProtocol, _ delivery: ProviderDelivery, projectId: String)
        async throws -> HTTPResponse.Status
    {
        var headers = HTTPFields()
        for (name, value) in delivery.headers {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        return try await client.execute(
            uri: ProviderDelivery.path(projectId: projectId, delivery.provider), method: .post, headers: headers,
            body: ByteBuffer(string: delivery.body)
        ) { $0.status }
    }

    static func isHex(_ text: String, count: Int) -> Bool {
        text.count == count && text.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    @Test("configure prints the URL, a secret and what to set at the provider; again, a new secret")
    func configureAndRotate() async throws {
        try await Self.withCLI { _, cli, _ in
            let project = try await Self.project(cli)
            let first = try await Self.configure(cli, project.id, .github)
            let url = try #require(Self.field("url", in: first.out), "\(first.out)")
            #expect(url.hasSuffix("/api/projects/\(project.id)/webhooks/github"), "\(url)")
            #expect(url.hasPrefix("http://127.0.0.1:"), "\(url)")
            #expect(Self.isHex(first.secret, count: 64), "\(first.secret)")
            #expect(Self.field("signatureHeader", in: first.out) == "X-Hub-Signature-256", "\(first.out)")
            for text in ["Payload URL:", url, "application/json", "Just the push event", "shown only now"] {
                #expect(first.err.contains(text), "configure should say \(text): \(first.err)")
            }
            #expect(first.err.contains("cannot reach"), "a loopback URL is pointed out: \(first.err)")

            let second = try await Self.configure(cli, project.id, .github)
            #expect(Self.isHex(second.secret, count: 64) && second.secret != first.secret)
            #expect(Self.field("url", in: second.out) == url)

            let gitlab = await cli.run([
                "webhook", "configure", "--project", project.id, "--provider", "gitlab", "--json",
            ])
            try #require(gitlab.code == 0, "\(gitlab.err)")
            let setup = try JSONCoding.decoder().decode(
                WebhookCommand.Configure.Setup.self, from: Data(gitlab.out.utf8))
            #expect(setup.endpoint.provider == .gitlab && setup.signatureHeader == "X-Gitlab-Token")
            #expect(Self.isHex(setup.secret, count: 64) && setup.url.hasSuffix("/webhooks/gitlab"))
            #expect(gitlab.err.isEmpty, "--json prints the JSON alone: \(gitlab.err)")

            let unknown = await cli.run(["webhook", "configure", "--project", project.id, "--provider", "svn"])
            #expect(unknown.code == 2 && unknown.err.contains("github"), "\(unknown.err)")
        }
    }

    @Test("each provider's form is spelled out")
    func instructions() {
        let url = "https://slipway.example.test/api/projects/prj_1/webhooks/x"
        let expected: [GitProvider: [String]] = [
            .github: ["Payload URL", "Content type", "application/json", "Secret", "Just the push event"],
            .gitlab: ["URL", "Secret token", "Push events, Tag push events"],
            .gitea: ["Forgejo", "POST", "application/json", "Secret", "Push events"],
            .bitbucket: ["URL", "Secret", "Repository push"],
        ]
        for provider in GitProvider.allCases {
            let text = WebhookCommand.Configure.instructions(for: provider, url: url).joined(separator: "\n")
            #expect(text.contains(url), "\(provider): \(text)")
            for word in expected[provider] ?? [] {
                #expect(text.contains(word), "\(provider) should say \(word): \(text)")
            }
        }
        #expect(!WebhookCommand.Configure.isLoopback(url))
        #expect(WebhookCommand.Configure.isLoopback("http://localhost:8080/api/x"))
        #expect(WebhookCommand.Configure.isLoopback("http://127.0.0.1:8080/api/x"))
    }

    @Test("list shows each provider without its secret; remove stops it")
    func listAndRemove() async throws {
        try await Self.withCLI { _, cli, _ in
            let project = try await Self.project(cli)
            let empty = await cli.run(["webhook", "list", "--project", project.id])
            #expect(empty.code == 0 && empty.out == "No webhooks.", "\(empty.out) \(empty.err)")
            let github = try await Self.configure(cli, project.id, .github)
            let gitea = try await Self.configure(cli, project.id, .gitea)

            let listed = await cli.run(["webhook", "list", "--project", project.id])
            try #require(listed.code == 0, "\(listed.err)")
            let lines = listed.out.split(separator: "\n").map(String.init)
            #expect(lines.count == 3 && lines.first?.hasPrefix("ID") == true, "\(listed.out)")
            #expect(lines.contains { $0.contains("github") && $0.contains("/webhooks/github") }, "\(listed.out)")
            #expect(lines.contains { $0.contains("gitea") && $0.contains("/webhooks/gitea") }, "\(listed.out)")
            let json = await cli.run(["webhook", "list", "--project", project.id, "--json"])
            for secret in [github.secret, gitea.secret] {
                #expect(!listed.out.contains(secret) && !json.out.contains(secret), "a secret is never listed")
            }

            let removed = await cli.run(["webhook", "remove", "--project", project.id, "--provider", "github"])
            #expect(removed.code == 0 && removed.out.contains("Removed the github webhook"), "\(removed.err)")
            let after = await cli.run(["webhook", "list", "--project", project.id])
            #expect(!after.out.contains("github") && after.out.contains("gitea"), "\(after.out)")
            let again = await cli.run(["webhook", "remove", "--project", project.id, "--provider", "github"])
            #expect(again.code == 1 && again.err.contains("webhook not found"), "\(again.err)")
            #expect(again.err.contains("hint: the project has no github webhook"), "\(again.err)")
        }
    }

    @Test("deliveries lists each delivery, newest first, with its verdict, ref, commit and deployment")
    func deliveries() async throws {
        try await Self.withCLI { plane, cli, client in
            // Production deploys `main` and has an instance; nothing maps `feature-x` or tags.
            let world = try await DeployCommandTests.world(plane, cli)
            let none = await cli.run(["webhook", "deliveries", "--project", world.projectId])
            #expect(none.code == 0 && none.out.hasPrefix("No deliveries."), "\(none.out)")
            let secret = try await Self.configure(cli, world.projectId, .github).secret
            let sha = "0123456789abcdef0123456789abcdef01234567"
            let deliveries: [(ProviderDelivery, HTTPResponse.Status)] = [
                (.push(.github, secret: secret, ref: "refs/heads/main", sha: sha), .ok),
                (.push(.github, secret: secret, ref: "refs/heads/feature-x", sha: sha), .ok),
                (.push(.github, secret: secret, ref: "refs/tags/v1", sha: sha), .ok),
                (
                    .push(.github, secret: String(repeating: "0", count: 64), ref: "refs/heads/main", sha: sha),
                    .unauthorized
                ),
            ]
            for (delivery, status) in deliveries {
                let answered = try await Self.deliver(client, delivery, projectId: world.projectId)
                #expect(answered == status, "\(delivery.body)")
                // Distinct receipt times (the log keeps milliseconds), so newest first is one order.
                try await Task.sleep(for: .milliseconds(10))
            }

            let listed = await cli.run(["webhook", "deliveries", "--project", world.projectId])
            try #require(listed.code == 0, "\(listed.err)")
            let lines = listed.out.split(separator: "\n").map(String.init)
            try #require(lines.count == 5, "\(listed.out)")
            #expect(lines[0].hasPrefix("RECEIVED") && lines[0].contains("VERDICT"), "\(lines[0])")
            #expect(lines[1].contains("rejected: bad signature"), "newest first: \(listed.out)")
            #expect(lines[2].contains("tag v1") && lines[2].contains("ignored: no branch mapping deploys tag 'v1'"))
            #expect(lines[3].contains("feature-x") && lines[3].contains(String(sha.prefix(12))), "\(lines[3])")
            #expect(lines[3].contains("ignored: no branch mapping deploys branch 'feature-x'"), "\(lines[3])")
            let deployments = try #require(
                try await plane.store.deployments(
                    organizationId: plane.organization.id, projectId: world.projectId, page: try PageRequest()))
            let deployment = try #require(deployments.items.first, "the push to main queued a deployment")
            #expect(deployments.total == 1 && deployment.triggerType == .webhook)
            #expect(lines[4].contains("deployed") && lines[4].contains(deployment.id), "\(lines[4])")
            #expect(lines[4].contains("main") && lines[4].contains("push"), "\(lines[4])")
            #expect(listed.err.contains("Deliveries 1 to 4 of 4."), "\(listed.err)")

            let paged = await cli.run(["webhook", "deliveries", "--project", world.projectId, "--limit", "1"])
            #expect(paged.out.contains("rejected") && !paged.out.contains("feature-x"), "\(paged.out)")
            #expect(paged.err.contains("Deliveries 1 to 1 of 4: --offset 1 shows the next."), "\(paged.err)")
            let json = await cli.run(["webhook", "deliveries", "--project", world.projectId, "--json"])
            let page = try JSONCoding.decoder().decode(Page<WebhookDelivery>.self, from: Data(json.out.utf8))
            #expect(page.total == 4 && page.items.map(\.verdict) == [.rejected, .ignored, .ignored, .deployed])
            let bad = await cli.run(["webhook", "deliveries", "--project", world.projectId, "--limit", "0"])
            #expect(bad.code == 2 && bad.err.contains("--limit must be between 1 and 100"), "\(bad.err)")
        }
    }

    @Test("deploy-key prints the public key line alone; --rotate prints a new one")
    func deployKey() async throws {
        try await Self.withCLI { plane, cli, _ in
            let project = try await Self.project(cli)
            let shown = await cli.run(["project", "deploy-key", "--project", project.id])
            try #require(shown.code == 0, "\(shown.err)")
            let lines = shown.out.split(separator: "\n").map(String.init)
            let key = try #require(lines.first { $0.hasPrefix("ssh-ed25519 ") }, "\(shown.out)")
            #expect(key.split(separator: " ").count == 3, "type, key and comment alone on the line: \(key)")
            let stored = try #require(
                try await plane.store.deployKey(organizationId: plane.organization.id, projectId: project.id))
            #expect(key == stored.publicKey)
            #expect(Self.field("fingerprint", in: shown.out) == stored.fingerprint, "\(shown.out)")
            #expect(stored.fingerprint.hasPrefix("SHA256:"))
            #expect(shown.err.contains("read-only") && shown.err.contains("deploy keys"), "\(shown.err)")
            #expect(!shown.err.contains("new key"), "\(shown.err)")

            let rotated = await cli.run(["project", "deploy-key", "--project", project.id, "--rotate"])
            try #require(rotated.code == 0, "\(rotated.err)")
            let newKey = try #require(
                rotated.out.split(separator: "\n").map(String.init).first { $0.hasPrefix("ssh-ed25519 ") })
            #expect(newKey != key)
            #expect(rotated.err.contains("the old one stopped working"), "\(rotated.err)")
            let again = await cli.run(["project", "deploy-key", "--project", project.id, "--json"])
            let current = try JSONCoding.decoder().decode(DeployKey.self, from: Data(again.out.utf8))
            #expect(current.publicKey == newKey && current.projectId == project.id)
        }
    }

    @Test("an unknown project is reported with how to find the right id")
    func unknownProject() async throws {
        try await Self.withCLI { _, cli, _ in
            for arguments in [
                ["webhook", "configure", "--project", "prj_nope", "--provider", "github"],
                ["webhook", "list", "--project", "prj_nope"],
                ["webhook", "remove", "--project", "prj_nope", "--provider", "gitlab"],
                ["webhook", "deliveries", "--project", "prj_nope"],
                ["project", "deploy-key", "--project", "prj_nope"],
                ["project", "deploy-key", "--project", "prj_nope", "--rotate"],
            ] {
                let result = await cli.run(arguments)
                #expect(result.code == 1, "\(arguments): \(result.err)")
                #expect(result.err.contains("error: project not found"), "\(arguments): \(result.err)")
                #expect(result.err.contains("hint: check the id with `slipway project list`"), "\(arguments)")
                #expect(result.out.isEmpty, "\(arguments): \(result.out)")
            }
        }
    }
}
