import Foundation
import HTTPTypes
import SlipwayCore

/// A project's webhook endpoints (one per Git provider, each with its own secret) and the log of what they
/// received. The route the providers post to is in `WebhookRoutes+Receive.swift`.
enum WebhookRoutes {
    static let all: [APIRoute] = managing + [receive]

    /// An endpoint as the API shows it: where to point the provider, never the secret.
    struct Listed: Encodable, Sendable {
        var id: String
        var organizationId: String
        var projectId: String
        var provider: GitProvider
        var path: String
        var url: String?
        var createdAt: Date
        var secretSetAt: Date

        init(_ endpoint: WebhookEndpoint, url: String?) {
            id = endpoint.id
            organizationId = endpoint.organizationId
            projectId = endpoint.projectId
            provider = endpoint.provider
            path = endpoint.path
            self.url = url
            createdAt = endpoint.createdAt
            secretSetAt = endpoint.secretSetAt
        }
    }

    /// What configuring answers, once: the URL and secret to paste at the provider.
    struct Setup: Encodable, IdentifiedRecord {
        var endpoint: Listed
        var url: String
        var secret: String
        var signatureHeader: String
        var id: String { endpoint.id }
    }

    struct Configure: Decodable {
        var provider: GitProvider
    }

    static let managing: [APIRoute] = [
        APIRoute(
            .post, "/api/projects/{projectId}/webhooks", access: .permission(.manage(.webhooks)),
            summary:
                "Set up the project's webhook for a Git provider, or give it a new secret (the old one stops "
                + "verifying at once); answers the URL and the secret to paste at the provider, shown only here",
            resource: "webhooks", body: Schemas.webhookRequest, response: .reference("WebhookSetup")
        ) { call in
            let project = try await ProjectRoutes.project(call)
            let input = try call.decode(Configure.self)
            let secret = Identifier.secret(bytes: 32)
            let now = call.backend.clock()
            let endpoint = try await call.store.configureWebhook(
                WebhookEndpoint(
                    organizationId: project.organizationId, projectId: project.id, provider: input.provider,
                    createdAt: now, secretSetAt: now),
                encryptedSecret: try call.backend.secrets.seal(secret))
            let url = url(of: endpoint, call) ?? endpoint.path
            return .json(
                Setup(
                    endpoint: Listed(endpoint, url: url), url: url, secret: secret,
                    signatureHeader: endpoint.provider.signatureHeader))
        },
        APIRoute(
            .get, "/api/projects/{projectId}/webhooks", access: .permission(.view(.webhooks)),
            summary: "The project's webhook endpoints (without their secrets)", resource: "webhooks",
            response: Schemas.list("WebhookEndpoint")
        ) { call in
            let project = try await ProjectRoutes.project(call)
            let endpoints = try await call.store.webhookEndpoints(
                organizationId: project.organizationId, projectId: project.id)
            return .json(ItemList(endpoints.map { Listed($0, url: url(of: $0, call)) }))
        },
        APIRoute(
            .delete, "/api/projects/{projectId}/webhooks/{provider}", access: .permission(.manage(.webhooks)),
            summary: "Remove the project's webhook for a provider: its deliveries are refused from now on",
            resource: "webhooks", status: .noContent, response: nil
        ) { call in
            let project = try await ProjectRoutes.project(call)
            guard let provider = GitProvider(rawValue: try call.parameter("provider")),
                try await call.store.deleteWebhookEndpoint(
                    organizationId: project.organizationId, projectId: project.id, provider: provider)
            else { throw SlipwayError.notFound("webhook") }
            return .empty
        },
        APIRoute(
            .get, "/api/projects/{projectId}/webhooks/deliveries", access: .permission(.view(.webhooks)),
            summary:
                "A page of the deliveries the project's webhooks received, newest first: each with its verdict "
                + "(deployed, ignored or rejected), the reason and the deployment it queued",
            resource: "webhooks",
            query: [
                .init(
                    name: "limit", schema: .integer(minimum: 1, maximum: 100),
                    description: "page size, 1 to 100 (default 20)"),
                .init(name: "offset", schema: .integer(minimum: 0), description: "how many to skip (default 0)"),
            ], response: Schemas.page("WebhookDelivery")
        ) { call in
            let page = try PageRequest(
                limit: try call.queryInt("limit", default: 20), offset: try call.queryInt("offset", default: 0))
            guard
                let deliveries = try await call.store.webhookDeliveries(
                    organizationId: try call.caller.organization.id, projectId: try call.parameter("projectId"),
                    page: page)
            else { throw SlipwayError.notFound("project") }
            return .json(deliveries)
        },
    ]

    /// The endpoint's full URL as the caller reached this control plane (its Host header, and the scheme a
    /// proxy in front says in X-Forwarded-Proto); nil when the request named no host.
    static func url(of endpoint: WebhookEndpoint, _ call: RouteCall) -> String? {
        guard let host = call.request.head.authority, !host.isEmpty,
            host.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && $0 != "/" && $0 != "@" })
        else { return nil }
        let forwarded = HTTPField.Name("X-Forwarded-Proto").flatMap { call.request.headers[$0] }
        let scheme = forwarded == "https" ? "https" : "http"
        return "\(scheme)://\(host)\(endpoint.path)"
    }
}
