import Foundation
import SlipwayCore

extension SQLStore {
    /// How many deliveries a project's log keeps; older ones go as new ones arrive.
    static let deliveriesKept = 1_000
    /// How long a delivery id is remembered, in seconds: a redelivery later than that deploys again.
    static let deliveryIdsKept: TimeInterval = 30 * 24 * 3600

    public func configureWebhook(_ endpoint: WebhookEndpoint, encryptedSecret: String) async throws -> WebhookEndpoint {
        try await write { connection in
            let changed = try await connection.execute(
                """
                UPDATE webhook_endpoints SET secret = ?, secret_set_at = ?
                WHERE organization_id = ? AND project_id = ? AND provider = ?
                """, .text(encryptedSecret), .init(endpoint.secretSetAt), .text(endpoint.organizationId),
                .text(endpoint.projectId), .text(endpoint.provider.rawValue))
            if changed == 0 {
                try await connection.execute(
                    """
                    INSERT INTO webhook_endpoints (id, organization_id, project_id, provider, secret, created_at,
                        secret_set_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, .text(endpoint.id), .text(endpoint.organizationId), .text(endpoint.projectId),
                    .text(endpoint.provider.rawValue), .text(encryptedSecret), .init(endpoint.createdAt),
                    .init(endpoint.secretSetAt))
            }
            guard
                let row = try await connection.first(
                    "SELECT * FROM webhook_endpoints WHERE organization_id = ? AND project_id = ? AND provider = ?",
                    [.text(endpoint.organizationId), .text(endpoint.projectId), .text(endpoint.provider.rawValue)])
            else { throw SQLError.database("the webhook endpoint just written is gone") }
            return try WebhookEndpoint(row)
        }
    }

    public func webhookEndpoints(organizationId: String, projectId: String) async throws -> [WebhookEndpoint] {
        try await read {
            try await $0.query(
                "SELECT * FROM webhook_endpoints WHERE organization_id = ? AND project_id = ? ORDER BY provider",
                .text(organizationId), .text(projectId)
            ).map(WebhookEndpoint.init)
        }
    }

    public func deleteWebhookEndpoint(organizationId: String, projectId: String, provider: GitProvider) async throws
        -> Bool
    {
        try await write {
            try await $0.execute(
                "DELETE FROM webhook_endpoints WHERE organization_id = ? AND project_id = ? AND provider = ?",
                .text(organizationId), .text(projectId), .text(provider.rawValue)) > 0
        }
    }

    public func webhookEndpoint(projectId: String, provider: GitProvider) async throws -> (
        endpoint: WebhookEndpoint, encryptedSecret: String
    )? {
        try await read { connection in
            guard
                let row = try await connection.first(
                    "SELECT * FROM webhook_endpoints WHERE project_id = ? AND provider = ?",
                    [.text(projectId), .text(provider.rawValue)])
            else { return nil }
            return (try WebhookEndpoint(row), try row.string("secret"))
        }
    }

    public func recordWebhookDelivery(_ delivery: WebhookDelivery, deployment: Deployment?, job: Job?) async throws
        -> WebhookDelivery
    {
        try await write { connection in
            var recorded = delivery
            if delivery.verdict != .rejected, let deliveryId = delivery.deliveryId {
                // Providers redeliver within days (GitHub keeps deliveries for 3); ids a month old can go.
                try await connection.execute(
                    "DELETE FROM webhook_delivery_ids WHERE project_id = ? AND received_at < ?",
                    .text(delivery.projectId),
                    .init(delivery.receivedAt.addingTimeInterval(-Self.deliveryIdsKept)))
                let claimed = try await connection.execute(
                    """
                    INSERT INTO webhook_delivery_ids (project_id, provider, delivery_id, received_at)
                    VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING
                    """, .text(delivery.projectId), .text(delivery.provider.rawValue), .text(deliveryId),
                    .init(delivery.receivedAt))
                if claimed == 0 {
                    recorded.verdict = .ignored
                    recorded.reason = "delivery \(deliveryId) was received before: a replay is not processed twice"
                    recorded.deploymentId = nil
                }
            }
            if recorded.verdict == .deployed, let deployment, let job {
                try await Self.insertDeployment(deployment, connection)
                try await Self.insertJob(job, connection)
            }
            try await connection.execute(
                """
                INSERT INTO webhook_deliveries (id, organization_id, project_id, provider, event, delivery_id, branch,
                    tag, commit_sha, verdict, reason, deployment_id, received_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, .text(recorded.id), .text(recorded.organizationId), .text(recorded.projectId),
                .text(recorded.provider.rawValue), .init(recorded.event), .init(recorded.deliveryId),
                .init(recorded.branch), .init(recorded.tag), .init(recorded.commitSha),
                .text(recorded.verdict.rawValue),
                .init(recorded.reason), .init(recorded.deploymentId), .init(recorded.receivedAt))
            try await connection.execute(
                """
                DELETE FROM webhook_deliveries WHERE project_id = ? AND id NOT IN (
                    SELECT id FROM webhook_deliveries WHERE project_id = ? ORDER BY received_at DESC, id DESC LIMIT ?)
                """, .text(recorded.projectId), .text(recorded.projectId), .init(Self.deliveriesKept))
            return recorded
        }
    }

    public func webhookDeliveries(organizationId: String, projectId: String, page: PageRequest) async throws -> Page<
        WebhookDelivery
    >? {
        try await read { connection in
            let scope: [SQLValue] = [.text(organizationId), .text(projectId)]
            guard
                try await connection.first("SELECT id FROM projects WHERE organization_id = ? AND id = ?", scope) != nil
            else { return nil }
            let total =
                try await connection.first(
                    "SELECT COUNT(*) AS total FROM webhook_deliveries WHERE organization_id = ? AND project_id = ?",
                    scope)?.int("total") ?? 0
            let items = try await connection.query(
                """
                SELECT * FROM webhook_deliveries WHERE organization_id = ? AND project_id = ?
                ORDER BY received_at DESC, id DESC LIMIT ? OFFSET ?
                """, scope + [.init(page.limit), .init(page.offset)]
            ).map(WebhookDelivery.init)
            return Page(items: items, total: total, limit: page.limit, offset: page.offset)
        }
    }
}
