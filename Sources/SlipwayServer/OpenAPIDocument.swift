import Foundation
import SlipwayCore

/// The OpenAPI 3.1 document, built from the same route table the server runs, so it cannot
/// name a route the server lacks or miss one it has.
enum OpenAPIDocument {
    static func make(routes: [APIRoute], version: String) -> JSONValue {
        var paths: [String: [String: JSONValue]] = [:]
        for route in routes {
            paths[route.path, default: [:]][route.method.rawValue.lowercased()] = operation(route)
        }
        var components = Schemas.components.mapValues(\.json)
        components["Me"] = Schemas.components["Me"]?.json
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "Slipway", "version": .string(version),
                "description":
                    "Self-hosted deployments from Git to your own servers. Bearer tokens in Authorization; X-Org-Slug chooses the organization of a personal token.",
            ],
            "paths": .object(paths.mapValues(JSONValue.object)),
            "components": [
                "schemas": .object(components),
                "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer"]],
            ],
        ]
    }

    private static func operation(_ route: APIRoute) -> JSONValue {
        var parameters: [JSONValue] = route.pathParameters.map { name in
            ["name": .string(name), "in": "path", "required": true, "schema": ["type": "string", "minLength": 1]]
        }
        parameters += route.query.map { query in
            [
                "name": .string(query.name), "in": "query", "required": false,
                "description": .string(query.description), "schema": query.schema.json,
            ]
        }
        if route.access != .public {
            parameters.append([
                "name": "X-Org-Slug", "in": "header", "required": false,
                "description": "the organization to act in (personal tokens; default: your first)",
                "schema": Schemas.slug.json,
            ])
        }
        var responses: [String: JSONValue] = [:]
        let success = String(route.successStatus.code)
        if route.streamsEvents {
            parameters.append([
                "name": "Last-Event-ID", "in": "header", "required": false,
                "description": "the id of the last event seen, to resume a stream",
                "schema": ["type": "string", "pattern": "^[0-9]{1,9}$"],
            ])
            responses[success] = [
                "description": "Server-Sent Events", "content": ["text/event-stream": ["schema": ["type": "string"]]],
            ]
        } else if let schema = route.response {
            responses[success] = ["description": "success", "content": ["application/json": ["schema": schema.json]]]
        } else if route.successStatus == .noContent {
            responses[success] = ["description": "done"]
        } else {
            responses[success] = ["description": "success", "content": ["text/plain": ["schema": ["type": "string"]]]]
        }
        var errors = ["404", "405"]
        if route.access != .public { errors += ["401", "403"] }
        if route.body != nil { errors += ["400", "409", "413", "422"] }
        if !route.query.isEmpty || route.body != nil || route.isMutating { errors += ["409", "422"] }
        if route.reachesServer { errors += ["503"] }
        if route.rawBodyLimit != nil { errors += ["400", "401", "413", "422"] }
        for code in Set(errors) {
            responses[code] = [
                "description": "error",
                "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]],
            ]
        }
        var operation: [String: JSONValue] = [
            "summary": .string(route.summary),
            "operationId": .string(operationId(route)),
            "tags": [.string(route.resource)],
            "parameters": .array(parameters),
            "responses": .object(responses),
            "x-slipway-access": .string(accessDescription(route.access)),
        ]
        if route.access != .public {
            operation["security"] = [["bearer": []]]
        } else {
            operation["security"] = []
        }
        if let body = route.body {
            operation["requestBody"] = [
                "required": .bool(route.bodyRequired), "content": ["application/json": ["schema": body.json]],
            ]
        } else if let limit = route.rawBodyLimit {
            operation["requestBody"] = [
                "required": true,
                "description": .string("the provider's JSON, verified as sent: at most \(limit) bytes"),
                "content": ["application/json": ["schema": ["type": "object"]]],
            ]
        }
        return .object(operation)
    }

    static func accessDescription(_ access: RouteAccess) -> String {
        switch access {
        case .public: "public"
        case .authenticated: "authenticated"
        case .permission(let permission): permission.description
        }
    }

    private static func operationId(_ route: APIRoute) -> String {
        let words = route.path.split(separator: "/").filter { $0 != "api" }.map { component -> String in
            let text = component.hasPrefix("{") ? "by-" + component.dropFirst().dropLast() : String(component)
            return text.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        }
        return route.method.rawValue.lowercased() + words.joined()
    }
}
