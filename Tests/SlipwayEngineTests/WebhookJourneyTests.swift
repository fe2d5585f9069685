import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SlipwayCore
import SlipwayStore
import SlipwayTesting
import Testing

@testable import SlipwayDrivers
@testable import SlipwayEngine

/// The issue's "done when" against the built `slipway serve`: the user sets up the project's webhook, the Git
/// host posts a push to `main` (signed as GitHub signs it) and production runs the pushed commit; a push to
/// `feature-x` (signed as GitLab signs it) deploys the development environment; Gitea's push to `main` and
/// Bitbucket's push of a tag deploy production; a forged delivery is refused; and the delivery log shows each
/// with its verdict.
@Suite("Push to deploy through webhooks", .serialized)
struct WebhookJourneyTests {
    static func request(
        _ url: String, _ method: NIOHTTP1.HTTPMethod, headers: [String: String] = [:], body: String? = nil
    ) async throws -> (status: Int, json: [String: Any]) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let data = Data(buffer: try await response.body.collect(upTo: 1 << 20))
        return (Int(response.status.code), (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:])
    }

    /// Waits for the deployment to end; answers it.
    static func ended(_ store: any Store, _ organizationId: String, _ id: String) async throws -> Deployment {
        let start = Date()
        while true {
            let deployment = try #require(try await store.deployment(organizationId: organizationId, id: id))
            if deployment.hasEnded { return deployment }
            try #require(Date().timeIntervalSince(start) < 180, "deployment \(id) did not end within 180 s")
            try await Task.sleep(for: .milliseconds(300))
        }
    }

    @Test(
        "a push to main deploys production, a push to feature-x deploys development, a forged one is refused",
        .enabled(if: DeploymentCrashTests.binary != nil, "skipped: no .build/debug/slipway"),
        .timeLimit(.minutes(6)))
    func pushToDeploy() async throws {
        let binary = try #require(DeploymentCrashTests.binary)
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "slipway-webhooks-\(UUID().uuidString.prefix(8))"
        ).path
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        let store = try await SQLStore.open(
            dataDirectory: dataDirectory, databaseURL: nil, logger: Logger(label: "slipway.test"))
        defer { Task { try? await store.close() } }
        try await DeploymentTests.withStage(first: DeploymentTests.app("1"), store: store) { stage in
            let world = stage.world
            let organizationId = stage.instance.organizationId
            // A development environment with its own instance, and the mappings a user would set.
            let development = SlipwayCore.Environment(
                organizationId: organizationId, projectId: stage.project.id, name: "Development", type: .development,
                branch: "develop")
            try await store.createEnvironment(development)
            let devInstance = try await store.createInstance(
                Instance(
                    organizationId: organizationId, projectId: stage.project.id, environmentId: development.id,
                    serverId: world.server.id, name: "dev", kind: .generic, status: .creating, port: 8080,
                    healthPath: "/", image: nil, databaseName: "slipway_dev_\(Identifier.secret(bytes: 4))"),
                encryptedDatabasePassword: try InstanceLifecycleTests.secrets.seal(Identifier.secret(bytes: 24)))
            try await world.operations.provision(devInstance)
            var project = stage.project
            project.branchMappings = [
                BranchMapping(branchPattern: "main", environmentId: stage.instance.environmentId, priority: 10),
                BranchMapping(branchPattern: "feature-*", environmentId: development.id, priority: 1),
            ]
            project = try #require(try await store.updateProject(project))

            let secret = "slw_" + Identifier.secret(bytes: 32)
            try await store.createToken(
                APIToken(
                    kind: .apiKey, name: "webhooks", prefix: String(secret.prefix(12)), organizationId: organizationId,
                    userId: nil, permissions: [.manage(.webhooks), .view(.deployments)]),
                secretHash: SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined())
            let port = try LoopbackSocket.freePort()
            let url = "http://127.0.0.1:\(port)"
            let control = try await DeploymentCrashTests.serveAnswering(
                binary, dataDirectory: dataDirectory, port: port)
            defer { control.send(SIGKILL) }
            let auth = ["Authorization": "Bearer \(secret)", "Content-Type": "application/json"]
            func configure(_ provider: GitProvider) async throws -> (url: String, secret: String) {
                let setup = try await Self.request(
                    url + "/api/projects/\(project.id)/webhooks", .POST, headers: auth,
                    body: #"{"provider":"\#(provider.rawValue)"}"#)
                try #require(setup.status == 200, "\(setup)")
                return (try #require(setup.json["url"] as? String), try #require(setup.json["secret"] as? String))
            }
            func deliver(_ delivery: ProviderDelivery, to hook: String) async throws -> (Int, [String: Any]) {
                try await Self.request(hook, .POST, headers: delivery.headers, body: delivery.body)
            }

            // A push to main, as GitHub sends it, to the URL the setup gave.
            let github = try await configure(.github)
            #expect(github.url == url + "/api/projects/\(project.id)/webhooks/github")
            let second = try await stage.repository.commit(DeploymentTests.app("2"), message: "Version two")
            let (status, mainDelivery) = try await deliver(
                .push(.github, secret: github.secret, ref: "refs/heads/main", sha: second, message: "Version two"),
                to: github.url)
            #expect(status == 200 && mainDelivery["verdict"] as? String == "deployed", "\(mainDelivery)")
            let mainDeployment = try await Self.ended(
                store, organizationId, try #require(mainDelivery["deploymentId"] as? String))
            #expect(mainDeployment.status == .completed, "\(mainDeployment.error ?? "")")
            #expect(mainDeployment.triggerType == .webhook && mainDeployment.commitSha == second)
            #expect(mainDeployment.environmentId == stage.instance.environmentId)
            #expect(try await DeploymentTests.page(stage) == "200 version 2\n")

            // A push to feature-x, as GitLab sends it: the development instance runs it, production does not.
            let gitlab = try await configure(.gitlab)
            try await stage.repository.checkout("feature-x")
            let feature = try await stage.repository.commit(DeploymentTests.app("x"), message: "Try feature x")
            let (_, featureDelivery) = try await deliver(
                .push(.gitlab, secret: gitlab.secret, ref: "refs/heads/feature-x", sha: feature), to: gitlab.url)
            #expect(featureDelivery["verdict"] as? String == "deployed", "\(featureDelivery)")
            let featureDeployment = try await Self.ended(
                store, organizationId, try #require(featureDelivery["deploymentId"] as? String))
            #expect(featureDeployment.status == .completed, "\(featureDeployment.error ?? "")")
            #expect(featureDeployment.environmentId == development.id)
            let devPage = try await InstanceLifecycleTests.throughProxy(
                world, try await InstanceLifecycleTests.reload(world, devInstance))
            #expect("\(devPage.status) \(devPage.body)" == "200 version x\n")
            #expect(try await DeploymentTests.page(stage) == "200 version 2\n")

            // Gitea (or Forgejo) pushes version 3 to main; Bitbucket pushes the tag v3.1 of version 4, which
            // the `tag:v*` mapping sends to production.
            try await stage.repository.checkout("main")
            let third = try await stage.repository.commit(DeploymentTests.app("3"), message: "Version three")
            let gitea = try await configure(.gitea)
            let (_, giteaDelivery) = try await deliver(
                .push(.gitea, secret: gitea.secret, ref: "refs/heads/main", sha: third), to: gitea.url)
            let giteaDeployment = try await Self.ended(
                store, organizationId, try #require(giteaDelivery["deploymentId"] as? String, "\(giteaDelivery)"))
            #expect(giteaDeployment.status == .completed, "\(giteaDeployment.error ?? "")")
            #expect(try await DeploymentTests.page(stage) == "200 version 3\n")
            project.branchMappings.append(
                BranchMapping(branchPattern: "tag:v*", environmentId: stage.instance.environmentId, priority: 0))
            project = try #require(try await store.updateProject(project))
            let fourth = try await stage.repository.commit(DeploymentTests.app("4"), message: "Version four")
            try await stage.repository.tag("v3.1")
            let bitbucket = try await configure(.bitbucket)
            let (_, tagDelivery) = try await deliver(
                .push(.bitbucket, secret: bitbucket.secret, ref: "refs/tags/v3.1", sha: fourth), to: bitbucket.url)
            let tagDeployment = try await Self.ended(
                store, organizationId, try #require(tagDelivery["deploymentId"] as? String, "\(tagDelivery)"))
            #expect(tagDeployment.status == .completed && tagDeployment.tag == "v3.1", "\(tagDeployment.error ?? "")")
            #expect(try await DeploymentTests.page(stage) == "200 version 4\n")

            // A forged push is refused and deploys nothing.
            let (forgedStatus, _) = try await deliver(
                .push(.github, secret: "not-the-secret", ref: "refs/heads/main", sha: feature), to: github.url)
            #expect(forgedStatus == 401)

            let log = try await Self.request(
                url + "/api/projects/\(project.id)/webhooks/deliveries", .GET, headers: auth)
            let items = try #require(log.json["items"] as? [[String: Any]], "\(log)")
            #expect(
                items.map { "\($0["provider"] ?? "") \($0["verdict"] ?? "")" } == [
                    "github rejected", "bitbucket deployed", "gitea deployed", "gitlab deployed", "github deployed",
                ], "\(items)")
            let deployments = try #require(
                try await store.deployments(
                    organizationId: organizationId, projectId: project.id, page: try PageRequest(limit: 10)))
            #expect(deployments.total == 4, "the forged push queued nothing")
            try await world.operations.remove(
                try await InstanceLifecycleTests.reload(world, devInstance), dropData: true)
        }
    }
}
