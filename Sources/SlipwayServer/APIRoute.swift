import Foundation
import Hummingbird
import SlipwayCore

/// One route of the API, declared with everything the server and the OpenAPI document need:
/// method, path (OpenAPI style, `{projectId}`), the access it requires, its query parameters,
/// body and response schemas, and the handler.
public struct APIRoute: Sendable {
    public struct QueryParameter: Sendable {
        public var name: String
        public var schema: Schema
        public var description: String
    }

    public var method: HTTPRequest.Method
    public var path: String
    public var access: RouteAccess
    public var summary: String
    /// The kind of record the route acts on, used as the OpenAPI tag and the audit log's resource.
    public var resource: String
    public var query: [QueryParameter]
    public var body: Schema?
    /// Whether the body must be sent; a route whose every field is optional may take none.
    public var bodyRequired = true
    public var successStatus: HTTPResponse.Status
    /// The success response's schema; nil for 204 and for non-JSON answers.
    public var response: Schema?
    /// Whether the route talks to a managed server while it answers, and so may answer 503 when it does not.
    public var reachesServer = false
    /// Whether the route answers a `text/event-stream` (`RouteReply.events`) rather than JSON.
    public var streamsEvents = false
    /// For a route that reads its body itself, as bytes (a webhook verifies them before it parses them): the
    /// most it reads. Nil for the routes whose JSON body the installer reads and checks against `body`.
    public var rawBodyLimit: Int?
    public var handler: @Sendable (RouteCall) async throws -> RouteReply

    public init(
        _ method: HTTPRequest.Method, _ path: String, access: RouteAccess, summary: String, resource: String,
        query: [QueryParameter] = [], body: Schema? = nil, status: HTTPResponse.Status = .ok, response: Schema?,
        handler: @escaping @Sendable (RouteCall) async throws -> RouteReply
    ) {
        self.method = method
        self.path = path
        self.access = access
        self.summary = summary
        self.resource = resource
        self.query = query
        self.body = body
        self.successStatus = status
        self.response = response
        self.handler = handler
    }

    /// The names in braces of `path`, in order.
    public var pathParameters: [String] {
        path.split(separator: "/").compactMap { component in
            component.hasPrefix("{") && component.hasSuffix("}") ? String(component.dropFirst().dropLast()) : nil
        }
    }

    public var isMutating: Bool { method != .get && method != .head }

    /// The route, marked as one that talks to a managed server while it answers (a 503 is documented).
    public func reachingServer() -> APIRoute {
        var route = self
        route.reachesServer = true
        return route
    }

    /// The route, marked as answering Server-Sent Events (`RouteReply.events`).
    public func streamingEvents() -> APIRoute {
        var route = self
        route.streamsEvents = true
        return route
    }

    /// The route, reading its body itself as raw bytes, at most `limit` of them.
    public func takingRawBody(upTo limit: Int) -> APIRoute {
        var route = self
        route.rawBodyLimit = limit
        return route
    }

    /// The route, taking no body as an empty object: every field of its body is optional.
    public func optionalBody() -> APIRoute {
        var route = self
        route.bodyRequired = false
        return route
    }
}

/// What a handler returns.
public enum RouteReply: Sendable {
    case json(any Encodable & Sendable)
    case empty
    case text(String, contentType: String)
    /// A `text/event-stream` of these events, open until they end (see `ServerSentEvent`).
    case events(any AsyncSequence<ServerSentEvent, any Error> & Sendable)
}

/// What a list answers: `{"items": [...]}`.
public struct ItemList<Item: Encodable & Sendable>: Encodable, Sendable {
    public var items: [Item]
    public init(_ items: [Item]) { self.items = items }
}
