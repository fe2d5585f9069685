import Foundation
import SlipwayCore
import SlipwayStore
import SlipwayTesting
import Testing

/// What the Git integration keeps, on SQLite and on PostgreSQL: a project's deploy key, its webhook endpoints
/// with their sealed secrets, and the delivery log, where a delivery id is acted on once even when it arrives
/// twice at the same moment.
@Suite("Deploy keys and webhooks in the store")
struct WebhookStoreTests {
    @Test(
        "a deploy key replaced, an endpoint rotated and removed, found by project and provider",
        arguments: StoreKind.allCases)
    func keysAndEndpoints(kind: StoreKind) async throws {
        try await TestStore.with(kind) { store in
            let fixture = try await Fixture.make(store)
            let organizationId = fixture.organization.id
            let projectId = fixture.project.id
            let first = DeployKey(projectId: projectId, publicKey: "ssh-ed25519 AAAA1 a", fingerprint: "SHA256:one")
            try await store.setDeployKey(first, organizationId: organizationId, encryptedPrivateKey: "v1:one")
            let second = DeployKey(projectId: projectId, publicKey: "ssh-ed25519 AAAA2 b", fingerprint: "SHA256:two")
            try await store.setDeployKey(second, organizationId: organizationId, encryptedPrivateKey: "v1:two")
            #expect(
                try await store.deployKey(organizationId: organizationId, projectId: projectId)?.publicKey
                    == second.publicKey)
            #expect(
                try await store.encryptedDeployPrivateKey(organizationId: organizationId, projectId: projectId)
                    == "v1:two")
            #expect(try await store.deployKey(organizationId: "org_other", projectId: projectId) == nil)

            let start = Date(timeIntervalSince1970: 1_800_000_000)
            let created = try await store.configureWebhook(
                WebhookEndpoint(
                    organizationId: organizationId, projectId: projectId, provider: .github, createdAt: start,
                    secretSetAt: start),
                encryptedSecret: "v1:old")
            let rotated = try await store.configureWebhook(
                WebhookEndpoint(
                    organizationId: organizationId, projectId: projectId, provider: .github,
                    createdAt: start.addingTimeInterval(60), secretSetAt: start.addingTimeInterval(60)),
                encryptedSecret: "v1:new")
            #expect(rotated.id == created.id && rotated.createdAt == start, "rotation keeps the endpoint")
            #expect(rotated.secretSetAt == start.addingTimeInterval(60))
            let found = try #require(try await store.webhookEndpoint(projectId: projectId, provider: .github))
            #expect(found.encryptedSecret == "v1:new" && found.endpoint == rotated)
            #expect(try await store.webhookEndpoint(projectId: projectId, provider: .gitlab) == nil)
            #expect(try await store.webhookEndpoints(organizationId: organizationId, projectId: projectId) == [rotated])
            #expect(
                try await store.deleteWebhookEndpoint(
                    organizationId: organizationId, projectId: projectId, provider: .github))
            #expect(try await store.webhookEndpoint(projectId: projectId, provider: .github) == nil)
        }
    }

    @Test(
        "a delivery queues its deployment once: the same delivery id twice at once queues one",
        arguments: StoreKind.allCases)
    func deliveriesOnce(kind: StoreKind) async throws {
        try await TestStore.with(kind) { store in
            let fixture = try await Fixture.make(store)
            let organizationId = fixture.organization.id
            let projectId = fixture.project.id
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            let verdicts = try await withThrowingTaskGroup(of: WebhookDelivery.self) { group in
                for index in 0..<4 {
                    group.addTask {
                        let deployment = Deployment(
                            organizationId: organizationId, projectId: projectId, environmentId: fixture.environment.id,
                            triggerType: .webhook, branch: "main", commitSha: String(repeating: "b", count: 40),
                            targets: [.init(instanceId: fixture.instance.id)], createdAt: start)
                        let job = Job(
                            organizationId: organizationId, kind: .deployment, subjectId: deployment.id,
                            concurrencyKey: deployment.environmentId, createdAt: start)
                        return try await store.recordWebhookDelivery(
                            WebhookDelivery(
                                organizationId: organizationId, projectId: projectId, provider: .github, event: "push",
                                deliveryId: "d-1", branch: "main", verdict: .deployed, deploymentId: deployment.id,
                                receivedAt: start.addingTimeInterval(Double(index))),
                            deployment: deployment, job: job)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(verdicts.filter { $0.verdict == .deployed }.count == 1, "\(verdicts.map(\.summary))")
            #expect(verdicts.filter { $0.verdict == .ignored && $0.deploymentId == nil }.count == 3)
            let deployments = try #require(
                try await store.deployments(
                    organizationId: organizationId, projectId: projectId, page: try PageRequest()))
            #expect(
                deployments.total == 1
                    && deployments.items.first?.id == verdicts.first { $0.verdict == .deployed }?.deploymentId)

            // A rejected delivery with the same id claims nothing: it cannot burn the id of a real one.
            _ = try await store.recordWebhookDelivery(
                WebhookDelivery(
                    organizationId: organizationId, projectId: projectId, provider: .gitlab, deliveryId: "d-2",
                    verdict: .rejected, reason: "bad signature", receivedAt: start),
                deployment: nil, job: nil)
            let real = try await store.recordWebhookDelivery(
                WebhookDelivery(
                    organizationId: organizationId, projectId: projectId, provider: .gitlab, deliveryId: "d-2",
                    verdict: .ignored, reason: "ping", receivedAt: start.addingTimeInterval(10)),
                deployment: nil, job: nil)
            #expect(real.verdict == .ignored && real.reason == "ping")

            let page = try #require(
                try await store.webhookDeliveries(
                    organizationId: organizationId, projectId: projectId, page: try PageRequest(limit: 2)))
            #expect(page.total == 6 && page.items.count == 2 && page.items.first?.id == real.id)
            #expect(
                try await store.webhookDeliveries(
                    organizationId: "org_other", projectId: projectId, page: try PageRequest()) == nil)
        }
    }
}
