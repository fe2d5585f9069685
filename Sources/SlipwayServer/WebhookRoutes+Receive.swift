import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SlipwayCore
import SlipwayEngine

/// The route Git providers post to. It takes no token: the delivery proves itself by the provider's signature
/// of the raw body, checked before anything is parsed. A caller whose delivery does not verify learns nothing,
/// not even whether the project exists: every such delivery gets the same 401. Every delivery to an existing
/// endpoint is kept in the project's log with its verdict; only a verified push to a mapped branch (or tag)
/// queues a deployment, in the same transaction as its log entry.
extension WebhookRoutes {
    /// GitHub caps its payloads at 25 MB; pushes are far smaller. What is larger is refused before it is read.
    static let bodyLimit = 1 << 20

    static let receive = APIRoute(
        .post, "/api/projects/{projectId}/webhooks/{provider}", access: .public,
        summary:
            "Receive a Git provider's delivery (github, gitlab, gitea, bitbucket), signed with the endpoint's "
            + "secret: a push to a mapped branch queues a deployment (triggerType webhook)",
        resource: "webhooks", response: .reference("WebhookDelivery")
    ) { call in
        let provider = GitProvider(rawValue: try call.parameter("provider"))
        var endpoint: (endpoint: WebhookEndpoint, encryptedSecret: String)?
        if let provider {
            endpoint = try await call.store.webhookEndpoint(
                projectId: try call.parameter("projectId"), provider: provider)
        }
        let body = try await readBody(call, endpoint: endpoint?.endpoint)
        guard let provider, let endpoint else {
            // Spend the time a real check takes, so the answer's timing says nothing either.
            _ = WebhookSignature.verify(
                provider: .github, secret: Identifier.secret(), body: body,
                signature: "sha256=" + String(repeating: "0", count: 64))
            call.context.logger.notice("webhook delivery to an unknown endpoint rejected")
            throw unverified
        }
        let secret = try call.backend.secrets.open(endpoint.encryptedSecret)
        let delivery = WebhookIntake(call: call, endpoint: endpoint.endpoint)
        switch WebhookSignature.verify(
            provider: provider, secret: secret, body: body, signature: delivery.header(provider.signatureHeader))
        {
        case .valid: break
        case .missing(let header):
            try await delivery.reject("missing \(header) header")
            throw unverified
        case .mismatch:
            try await delivery.reject("bad signature")
            throw unverified
        }
        guard let eventName = delivery.header(provider.eventHeader), !eventName.isEmpty else {
            try await delivery.reject("missing \(provider.eventHeader) header")
            throw SlipwayError(
                .badRequest, code: "missing_event", message: "the delivery has no \(provider.eventHeader) header")
        }
        if let type = delivery.header("Content-Type"), type.hasPrefix("application/x-www-form-urlencoded") {
            // GitHub's other content type: the JSON arrives form-encoded, which this endpoint does not take.
            let message = "the delivery is form-encoded: set the webhook's content type to application/json"
            try await delivery.reject(message, event: eventName)
            throw SlipwayError(.badRequest, code: "invalid_json", message: message)
        }
        let event: WebhookEvent
        do {
            event = try WebhookEvent.parse(provider: provider, event: eventName, body: Data(body))
        } catch let error as SlipwayError {
            try await delivery.reject(error.message, event: eventName)
            throw error
        }
        return .json(try await delivery.act(on: event, named: eventName))
    }
    .takingRawBody(upTo: bodyLimit)

    /// The one answer to a delivery that does not verify, whatever the reason.
    static let unverified = SlipwayError(
        .unauthorized, code: "unverified",
        message: "the delivery is not signed with this endpoint's secret (or there is no such endpoint)")

    /// The body, at most `bodyLimit` bytes; a larger one is refused (and logged, when the endpoint exists).
    private static func readBody(_ call: RouteCall, endpoint: WebhookEndpoint?) async throws -> [UInt8] {
        var request = call.request
        do {
            return Array(try await request.collectBody(upTo: bodyLimit).readableBytesView)
        } catch is NIOTooManyBytesError {
            if let endpoint {
                try await WebhookIntake(call: call, endpoint: endpoint).reject("body over \(bodyLimit) bytes")
            }
            throw HTTPError(.contentTooLarge, message: "a delivery may be at most \(bodyLimit) bytes")
        }
    }
}
