import Foundation
import SlipwayCore

/// A webhook endpoint as the API lists it: the endpoint, and the URL its provider posts to (nil when the
/// control plane could not tell its own address). Never its secret: the API answers that only when it is set.
struct ListedWebhook: Presentable {
    var endpoint: WebhookEndpoint
    var url: String?

    private enum CodingKeys: String, CodingKey {
        case url
    }

    init(from decoder: any Decoder) throws {
        endpoint = try WebhookEndpoint(from: decoder)
        url = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(String.self, forKey: .url)
    }

    static let plural = "webhooks"
    static let columns = ["ID", "PROVIDER", "URL", "SECRET SET", "CREATED"]
    var row: [String] {
        [
            endpoint.id, endpoint.provider.rawValue, url ?? endpoint.path, Self.date(endpoint.secretSetAt) ?? "-",
            Self.date(endpoint.createdAt) ?? "-",
        ]
    }
    var details: DetailList {
        DetailList([
            ("id", endpoint.id), ("provider", endpoint.provider.rawValue), ("url", url ?? endpoint.path),
            ("projectId", endpoint.projectId), ("secretSetAt", Self.date(endpoint.secretSetAt)),
            ("createdAt", Self.date(endpoint.createdAt)),
        ])
    }
}

extension WebhookDelivery: Presentable {
    static let plural = "deliveries"
    static let columns = ["RECEIVED", "PROVIDER", "EVENT", "REF", "COMMIT", "VERDICT", "DEPLOYMENT"]
    var row: [String] {
        [
            Self.date(receivedAt) ?? "-", provider.rawValue, event ?? "-", ref ?? "-",
            commitSha.map { String($0.prefix(12)) } ?? "-", summary, deploymentId ?? "-",
        ]
    }
    var details: DetailList {
        DetailList([
            ("id", id), ("provider", provider.rawValue), ("event", event), ("deliveryId", deliveryId), ("ref", ref),
            ("commit", commitSha), ("verdict", summary), ("deploymentId", deploymentId), ("projectId", projectId),
            ("receivedAt", Self.date(receivedAt)),
        ])
    }

    /// The branch pushed, or `tag v1`; nil when the delivery named neither (a ping, a rejected delivery).
    var ref: String? { branch ?? tag.map { "tag \($0)" } }
}
