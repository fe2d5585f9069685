import Foundation
import HTTPTypes
import HummingbirdTesting
import SlipwayCore
import SlipwayServer
import SlipwayTesting
import Testing

/// Webhooks through the live API: deliveries built and signed the way each provider builds them, what each
/// queues (a deployment with triggerType webhook) or why it is ignored or rejected, and the delivery log. The
/// job runner is off: the deployments a delivery queues are run by the engine's tests (see
/// `WebhookJourneyTests`).
@Suite("Webhooks through the API")
struct WebhookAPITests {
    typealias World = SnapshotAPITests.World

    /// `DeploymentAPITests.world` (production on `main` with two instances, staging on `staging` with none),
    /// plus a development environment with one instance that `feature-*` maps to, and tags `v*` mapped to
    /// production.
    static func world(_ client: any TestClientProtocol, _ plane: TestControlPlane) async throws -> (
        world: World, development: String
    ) {
        let (world, _, _) = try await DeploymentAPITests.world(client, plane)
        let development = try await create(
            client, "/api/projects/\(world.projectId)/environments", token: plane.ownerToken,
            body: #"{"name":"Development","type":"development","branch":"develop"}"#)
        _ = try await SnapshotAPITests.instance(client, plane, development, name: "dev", serverId: world.serverId)
        let mappings = try await send(
            client, .patch, "/api/projects/\(world.projectId)", token: plane.ownerToken,
            body: """
                {"branchMappings":[
                  {"branchPattern":"feature-*","environmentId":"\(development)","priority":1},
                  {"branchPattern":"feature-urgent","environmentId":"\(world.production)","priority":5},
                  {"branchPattern":"tag:v*","environmentId":"\(world.production)","priority":0}]}
                """)
        try #require(mappings.status == 200, "\(mappings.text)")
        return (world, development)
    }

    /// Sets up the project's endpoint for `provider`; answers its secret.
    static func configure(
        _ client: any TestClientProtocol, _ plane: TestControlPlane, _ projectId: String, _ provider: GitProvider
    ) async throws -> String {
        let reply = try await send(
            client, .post, "/api/projects/\(projectId)/webhooks", token: plane.ownerToken,
            body: #"{"provider":"\#(provider.rawValue)"}"#)
        try #require(reply.status == 200, "\(reply.text)")
        return try #require(reply["secret"]?.string)
    }

    static func deliver(
        _ client: any TestClientProtocol, _ delivery: ProviderDelivery, projectId: String,
        mutate: (inout HTTPFields) -> Void = { _ in }
    ) async throws -> Reply {
        var headers = HTTPFields()
        for (name, value) in delivery.headers {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        mutate(&headers)
        return try await send(
            client, .post, ProviderDelivery.path(projectId: projectId, delivery.provider), body: delivery.body,
            headers: headers)
    }

    static func deployments(_ plane: TestControlPlane, _ projectId: String) async throws -> [Deployment] {
        try await plane.store.deployments(
            organizationId: plane.organization.id, projectId: projectId, page: try PageRequest(limit: 100))?.items ?? []
    }

    static let sha = "0123456789abcdef0123456789abcdef01234567"

    @Test("a signed push from each provider queues a webhook deployment of the pushed commit where it maps")
    func eachProvider() async throws {
        try await TestControlPlane.with { plane in
            try await plane.test { client in
                let (world, development) = try await Self.world(client, plane)
                let cases: [(GitProvider, ref: String, environment: String)] = [
                    (.github, "refs/heads/main", world.production),
                    (.gitlab, "refs/heads/feature-x", development),
                    (.gitea, "refs/heads/feature-urgent", world.production),
                    (.bitbucket, "refs/tags/v1.2", world.production),
                ]
                for (provider, ref, environment) in cases {
                    let secret = try await Self.configure(client, plane, world.projectId, provider)
                    let delivery = ProviderDelivery.push(
                        provider, secret: secret, ref: ref, sha: Self.sha, message: "Ship \(provider)")
                    let reply = try await Self.deliver(client, delivery, projectId: world.projectId)
                    #expect(reply.status == 200 && reply["verdict"]?.string == "deployed", "\(provider): \(reply.text)")
                    try await SnapshotAPITests.expectMatches(reply, schema: "WebhookDelivery", client)
                    let id = try #require(reply["deploymentId"]?.string, "\(provider)")
                    let deployment = try #require(
                        try await plane.store.deployment(organizationId: plane.organization.id, id: id))
                    #expect(deployment.triggerType == .webhook && deployment.status == .queued)
                    #expect(deployment.environmentId == environment, "\(provider) \(ref)")
                    #expect(deployment.commitSha == Self.sha && deployment.commitMessage == "Ship \(provider)")
                    #expect(deployment.commitAuthor?.contains("Ada Lovelace") == true, "\(deployment)")
                    let name = String(ref.split(separator: "/", maxSplits: 2)[2])
                    #expect(ref.hasPrefix("refs/tags/") ? deployment.tag == name : deployment.branch == name)
                    #expect(reply["deliveryId"]?.string == delivery.deliveryId)
                }
                let log = try await send(
                    client, .get, "/api/projects/\(world.projectId)/webhooks/deliveries", token: plane.ownerToken)
                #expect(log.status == 200 && log["total"]?.int == 4, "\(log.text)")
                #expect(log.items.allSatisfy { $0["verdict"]?.string == "deployed" })
            }
        }
    }

    @Test("a replayed delivery id is logged and ignored; unmapped, deleted, auto-deploy off and pings queue nothing")
    func ignored() async throws {
        try await TestControlPlane.with { plane in
            try await plane.test { client in
                let (world, _) = try await Self.world(client, plane)
                let secret = try await Self.configure(client, plane, world.projectId, .github)
                let push = ProviderDelivery.push(.github, secret: secret, ref: "refs/heads/main", sha: Self.sha)
                #expect(
                    try await Self.deliver(client, push, projectId: world.projectId)["verdict"]?.string == "deployed")
                let replay = try await Self.deliver(client, push, projectId: world.projectId)
                #expect(replay.status == 200 && replay["verdict"]?.string == "ignored", "\(replay.text)")
                #expect(replay["reason"]?.string?.contains("received before") == true, "\(replay.text)")
                #expect(replay["deploymentId"] == nil)

                var staging = try #require(
                    try await plane.store.environment(organizationId: plane.organization.id, id: world.staging))
                _ = try await SnapshotAPITests.instance(
                    client, plane, world.staging, name: "stage", serverId: world.serverId)
                staging.autoDeploy = false
                _ = try await plane.store.updateEnvironment(staging)
                let ignored: [(ProviderDelivery, String)] = [
                    (.push(.github, secret: secret, ref: "refs/heads/nowhere", sha: Self.sha), "no branch mapping"),
                    (.push(.github, secret: secret, ref: "refs/heads/main", sha: nil), "was deleted"),
                    (.push(.github, secret: secret, ref: "refs/tags/nightly", sha: Self.sha), "no branch mapping"),
                    (.push(.github, secret: secret, ref: "refs/heads/staging", sha: Self.sha), "auto-deploy is off"),
                    (
                        .signed(
                            .github, secret: secret, event: "ping", body: #"{"zen":"Keep it simple.","hook_id":1}"#),
                        "ping"
                    ),
                    (
                        .signed(.github, secret: secret, event: "issues", body: #"{"action":"opened"}"#),
                        "does not deploy"
                    ),
                ]
                for (delivery, reason) in ignored {
                    let reply = try await Self.deliver(client, delivery, projectId: world.projectId)
                    #expect(reply.status == 200 && reply["verdict"]?.string == "ignored", "\(reason): \(reply.text)")
                    #expect(reply["reason"]?.string?.contains(reason) == true, "\(reason): \(reply.text)")
                }
                #expect(try await Self.deployments(plane, world.projectId).count == 1, "only the first push deployed")
                let log = try await send(
                    client, .get, "/api/projects/\(world.projectId)/webhooks/deliveries?limit=3",
                    token: plane.ownerToken)
                #expect(log["total"]?.int == 8 && log.items.count == 3, "\(log.text)")
            }
        }
    }

    @Test(
        "bad signatures, missing headers, unknown projects, non-JSON and oversized bodies get a 4xx and queue nothing")
    func rejected() async throws {
        try await TestControlPlane.with { plane in
            try await plane.test { client in
                let (world, _) = try await Self.world(client, plane)
                let secret = try await Self.configure(client, plane, world.projectId, .github)
                let gitlabSecret = try await Self.configure(client, plane, world.projectId, .gitlab)
                let good = ProviderDelivery.push(.github, secret: secret, ref: "refs/heads/main", sha: Self.sha)
                var tampered = good
                tampered.body = good.body.replacingOccurrences(of: Self.sha, with: String(Self.sha.reversed()))
                let unverified: [(Reply, String?)] = [
                    (try await Self.deliver(client, tampered, projectId: world.projectId), "bad signature"),
                    (
                        try await Self.deliver(
                            client, .push(.github, secret: "guess", ref: "refs/heads/main", sha: Self.sha),
                            projectId: world.projectId), "bad signature"
                    ),
                    (
                        try await Self.deliver(client, good, projectId: world.projectId) {
                            $0[HTTPField.Name("X-Hub-Signature-256")!] = nil
                        }, "missing X-Hub-Signature-256"
                    ),
                    (
                        try await Self.deliver(
                            client, .push(.gitlab, secret: secret, ref: "refs/heads/main", sha: Self.sha),
                            projectId: world.projectId), "bad signature"
                    ),
                    // No such project, and no endpoint for a provider: the same answer, and nothing to log it in.
                    (try await Self.deliver(client, good, projectId: "prj_nope"), nil),
                    (
                        try await Self.deliver(
                            client, .push(.gitea, secret: secret, ref: "refs/heads/main", sha: Self.sha),
                            projectId: world.projectId), nil
                    ),
                ]
                let first = unverified[0].0
                for (reply, _) in unverified {
                    #expect(reply.status == 401 && reply.errorCode == "unverified", "\(reply.text)")
                    #expect(reply.text == first.text, "an unsigned caller learns nothing about the project")
                }
                let notJSON = ProviderDelivery.signed(.github, secret: secret, event: "push", body: "payload=%7B%7D")
                let notJSONReply = try await Self.deliver(client, notJSON, projectId: world.projectId)
                #expect(notJSONReply.status == 400, "\(notJSONReply.text)")
                let formEncoded = try await Self.deliver(client, notJSON, projectId: world.projectId) {
                    $0[.contentType] = "application/x-www-form-urlencoded"
                }
                #expect(
                    formEncoded.status == 400 && formEncoded.errorCode == "invalid_json"
                        && formEncoded.text.contains("content type to application"),
                    "\(formEncoded.text) \(formEncoded.headers)")
                let noEvent = try await Self.deliver(client, good, projectId: world.projectId) {
                    $0[HTTPField.Name("X-GitHub-Event")!] = nil
                }
                #expect(noEvent.status == 400 && noEvent.text.contains("X-GitHub-Event"), "\(noEvent.text)")
                let huge = ProviderDelivery.signed(
                    .gitlab, secret: gitlabSecret, event: "Push Hook",
                    body: #"{"ref":"refs/heads/main","pad":""# + String(repeating: "x", count: 1 << 20) + #""}"#)
                let hugeReply = try await Self.deliver(client, huge, projectId: world.projectId)
                #expect(hugeReply.status == 413, "\(hugeReply.status) \(hugeReply.text.prefix(200))")

                #expect(try await Self.deployments(plane, world.projectId).isEmpty, "nothing was queued")
                let log = try await send(
                    client, .get, "/api/projects/\(world.projectId)/webhooks/deliveries?limit=100",
                    token: plane.ownerToken)
                let reasons = log.items.compactMap { $0["reason"]?.string }
                #expect(log.items.allSatisfy { $0["verdict"]?.string == "rejected" }, "\(log.text)")
                for expected in unverified.compactMap(\.1) + ["JSON", "X-GitHub-Event", "body over"] {
                    #expect(reasons.contains { $0.contains(expected) }, "\(expected) in \(reasons)")
                }
                #expect(log["total"]?.int == 8, "\(log.text)")

                // The document says what a provider can be answered, and what it may send.
                let document = try await send(client, .get, "/api/openapi.json")
                let operation = document["paths"]?["/api/projects/{projectId}/webhooks/{provider}"]?["post"]
                for status in ["200", "400", "401", "413", "422"] {
                    #expect(operation?["responses"]?[status] != nil, "\(status) is documented")
                }
                #expect(operation?["requestBody"] != nil && operation?["security"] == .array([]))
            }
        }
    }

    @Test("reconfiguring rotates the secret: the old one stops verifying at once, the new one works")
    func rotation() async throws {
        try await TestControlPlane.with { plane in
            try await plane.test { client in
                let (world, _) = try await Self.world(client, plane)
                let old = try await Self.configure(client, plane, world.projectId, .gitea)
                let listed = try await send(
                    client, .get, "/api/projects/\(world.projectId)/webhooks", token: plane.ownerToken)
                #expect(listed.items.count == 1 && !listed.text.contains(old), "the list never shows the secret")
                #expect(listed.items.first?["url"]?.string?.hasSuffix("/webhooks/gitea") == true, "\(listed.text)")
                let new = try await Self.configure(client, plane, world.projectId, .gitea)
                #expect(new != old)
                let stale = try await Self.deliver(
                    client, .push(.gitea, secret: old, ref: "refs/heads/main", sha: Self.sha),
                    projectId: world.projectId)
                #expect(stale.status == 401, "\(stale.text)")
                let fresh = try await Self.deliver(
                    client, .push(.gitea, secret: new, ref: "refs/heads/main", sha: Self.sha),
                    projectId: world.projectId)
                #expect(fresh["verdict"]?.string == "deployed", "\(fresh.text)")
                let removed = try await send(
                    client, .delete, "/api/projects/\(world.projectId)/webhooks/gitea", token: plane.ownerToken)
                #expect(removed.status == 204)
                let after = try await Self.deliver(
                    client, .push(.gitea, secret: new, ref: "refs/heads/main", sha: Self.sha),
                    projectId: world.projectId)
                #expect(after.status == 401, "a removed endpoint verifies nothing: \(after.text)")
            }
        }
    }
}
