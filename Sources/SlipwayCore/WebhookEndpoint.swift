import Foundation

/// Where one Git provider sends a project's push deliveries, with its own secret (kept sealed in the store and
/// shown only when it is set): `POST /api/projects/{projectId}/webhooks/{provider}`.
public struct WebhookEndpoint: Codable, Sendable, Equatable {
    public var id: String
    public var organizationId: String
    public var projectId: String
    public var provider: GitProvider
    public var createdAt: Date
    /// When the current secret was set; a delivery signed with an earlier one is rejected.
    public var secretSetAt: Date

    public init(
        id: String = Identifier.make("whk"), organizationId: String, projectId: String, provider: GitProvider,
        createdAt: Date = Date(), secretSetAt: Date = Date()
    ) {
        self.id = id
        self.organizationId = organizationId
        self.projectId = projectId
        self.provider = provider
        self.createdAt = createdAt
        self.secretSetAt = secretSetAt
    }

    /// The path the provider posts to, under the control plane's address.
    public var path: String { "/api/projects/\(projectId)/webhooks/\(provider.rawValue)" }
}
