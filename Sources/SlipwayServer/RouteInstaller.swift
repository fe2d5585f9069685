import Foundation
import Hummingbird
import Logging
import SlipwayCore

/// Puts `APIRoute`s on the router, wrapping each handler in what every route shares:
/// authentication, the permission check, body reading, metrics and the audit log.
struct RouteInstaller: Sendable {
    let backend: Backend
    let authenticator: Authenticator

    func install(_ routes: [APIRoute], on router: Router<AppContext>) {
        for route in routes {
            router.on(RouterPath(route.path), method: route.method) { request, context in
                await run(route, request, context)
            }
        }
    }

    private func run(_ route: APIRoute, _ request: Request, _ context: AppContext) async -> Response {
        let started = ContinuousClock.now
        var identity: Identity?
        var createdId: String?
        let response: Response
        do {
            if route.access != .public {
                let caller = try await authenticator.identify(request)
                identity = caller
                if let permission = route.access.permission, !caller.permissions.allows(permission) {
                    throw SlipwayError(
                        .forbidden, code: "forbidden", message: "this token lacks the permission \(permission)")
                }
            }
            var request = request
            let body = route.body == nil ? nil : try await request.collectBody(upTo: context.maxUploadSize)
            let call = RouteCall(
                request: request, context: context, backend: backend, route: route, identity: identity, body: body)
            let reply = try await route.handler(call)
            if case .json(let value) = reply { createdId = (value as? any IdentifiedRecord)?.id }
            response = render(reply, status: route.successStatus)
        } catch {
            response = ErrorResponse.response(for: error, context: context)
        }
        let elapsed = started.duration(to: .now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        backend.metrics.record(
            method: route.method.rawValue, route: route.path, status: response.status.code, seconds: seconds)
        if route.isMutating, let identity {
            await audit(route, request, context, identity, response.status.code, createdId: createdId)
        }
        return response
    }

    private func render(_ reply: RouteReply, status: HTTPResponse.Status) -> Response {
        switch reply {
        case .json(let value):
            return jsonResponse(status: status, body: AnyEncodable(value))
        case .empty:
            return Response(status: status == .ok ? .noContent : status)
        case .text(let text, let contentType):
            return Response(
                status: status, headers: [.contentType: contentType],
                body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        case .events(let events):
            return Response(
                status: status, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                body: ServerSentEvent.responseBody(events))
        }
    }

    /// Records a mutating request. A failed audit write is logged, never hidden: the change itself is already made.
    private func audit(
        _ route: APIRoute, _ request: Request, _ context: AppContext, _ identity: Identity, _ status: Int,
        createdId: String?
    ) async {
        let entry = AuditEntry(
            organizationId: identity.organization.id, actorId: identity.user?.id ?? identity.token.id,
            actorName: identity.actorName, action: "\(route.method.rawValue) \(route.path)", resource: route.resource,
            resourceId: createdId ?? route.pathParameters.last.flatMap { context.parameters.get($0) }, result: status,
            ip: context.remoteAddress?.ipAddress, userAgent: request.headers[.userAgent].map { String($0.prefix(500)) },
            requestId: context.requestId, createdAt: backend.clock())
        do {
            try await backend.store.appendAudit(entry)
        } catch {
            context.logger.error(
                "audit log write failed", metadata: ["error": "\(error)", "action": "\(entry.action)"])
        }
    }
}

/// Lets a handler return any encodable value.
struct AnyEncodable: Encodable {
    let value: any Encodable
    init(_ value: any Encodable) { self.value = value }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}
