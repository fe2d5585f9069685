import SlipwayCore

extension Schemas {
    /// The shapes of the Git integration: deploy keys, webhook endpoints and their deliveries.
    static let webhookComponents: [String: Schema] = [
        "DeployKey": .object(
            properties: [
                "projectId": id, "publicKey": .string, "fingerprint": .string, "createdAt": .dateTime,
            ], required: ["projectId", "publicKey", "fingerprint", "createdAt"]),
        "WebhookEndpoint": .object(
            properties: [
                "id": id, "organizationId": id, "projectId": id, "provider": .enumeration(GitProvider.self),
                "path": .string, "url": .string, "createdAt": .dateTime, "secretSetAt": .dateTime,
            ], required: ["id", "organizationId", "projectId", "provider", "path", "createdAt", "secretSetAt"]),
        "WebhookSetup": .object(
            properties: [
                "endpoint": .reference("WebhookEndpoint"), "url": .string, "secret": .string,
                "signatureHeader": .string,
            ], required: ["endpoint", "url", "secret", "signatureHeader"]),
        "WebhookDelivery": .object(
            properties: [
                "id": id, "organizationId": id, "projectId": id, "provider": .enumeration(GitProvider.self),
                "event": .string, "deliveryId": .string, "branch": .string, "tag": .string, "commitSha": .string,
                "verdict": .enumeration(WebhookDelivery.Verdict.self), "reason": .string, "deploymentId": id,
                "receivedAt": .dateTime,
            ], required: ["id", "organizationId", "projectId", "provider", "verdict", "receivedAt"]),
    ]

    /// The body of `POST /api/projects/{projectId}/webhooks`.
    static let webhookRequest = Schema.object(
        properties: ["provider": .enumeration(GitProvider.self)], required: ["provider"])
}
