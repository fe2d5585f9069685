import Foundation
import HummingbirdTesting
import SlipwayCore
import SlipwayServer
import SlipwayTesting
import Testing

@Suite("Route table")
struct RouteTableTests {
    /// Sample values for path parameters: ids that do not exist anywhere.
    static func concretePath(_ route: APIRoute, ids: [String: String] = [:]) -> String {
        var path = route.path
        for name in route.pathParameters {
            path = path.replacingOccurrences(of: "{\(name)}", with: ids[name] ?? "missing_\(name)")
        }
        return path
    }

    @Test("every API route declares a permission, except the few that are meant to be open to any token")
    func everyRouteDeclaresAccess() {
        let authenticatedOnly = RouteTable.api.filter { $0.access == .authenticated }.map { "\($0.method) \($0.path)" }
        #expect(
            Set(authenticatedOnly)
                == [
                    "GET /api/me", "GET /api/organizations", "POST /api/organizations",
                    "GET /api/organizations/{organizationId}",
                ])
        // The one public API route is where Git providers post: a delivery proves itself by its signature.
        let publicAPI = RouteTable.api.filter { $0.access == .public }.map { "\($0.method) \($0.path)" }
        #expect(publicAPI == ["POST /api/projects/{projectId}/webhooks/{provider}"])
        let publicRoutes = RouteTable.all.filter { $0.access == .public }.map(\.path)
        #expect(
            Set(publicRoutes)
                == ["/healthz", "/metrics", "/api/openapi.json", "/api/projects/{projectId}/webhooks/{provider}"])
    }

    @Test("the OpenAPI document names exactly the routes the server answers")
    func openAPIMatchesRouter() async throws {
        try await TestControlPlane.with { plane in
            let router = ControlPlane.makeRouter(backend: plane.backend)
            let served = Set(router.routes.map { "\($0.method.rawValue) \($0.path.description)" })
            try await plane.test { client in
                let reply = try await send(client, .get, "/api/openapi.json")
                #expect(reply.status == 200)
                #expect(reply["openapi"]?.string == "3.1.0")
                guard case .object(let paths)? = reply["paths"] else {
                    Issue.record("no paths in the document")
                    return
                }
                var documented = Set<String>()
                for (path, operations) in paths {
                    guard case .object(let byMethod) = operations else { continue }
                    for method in byMethod.keys { documented.insert("\(method.uppercased()) \(path)") }
                }
                #expect(
                    documented == served,
                    "documented but not served: \(documented.subtracting(served)); served but not documented: \(served.subtracting(documented))"
                )
                #expect(served.count == RouteTable.all.count)
            }
        }
    }

    @Test("without a token every API route answers 401, before it looks at anything")
    func tokenRequired() async throws {
        try await TestControlPlane.with { plane in
            try await plane.test { client in
                for route in RouteTable.api {
                    let reply = try await send(
                        client, route.method, Self.concretePath(route), body: route.body == nil ? nil : "{}")
                    #expect(
                        reply.status == 401, "\(route.method) \(route.path) answered \(reply.status) without a token")
                    let bad = try await send(
                        client, route.method, Self.concretePath(route), token: "slw_not_a_real_token")
                    #expect(
                        bad.status == 401, "\(route.method) \(route.path) answered \(bad.status) to an unknown token")
                }
            }
        }
    }

    @Test("every permission-guarded route refuses a key that lacks its permission with 403")
    func permissionEnforced() async throws {
        try await TestControlPlane.with { plane in
            for route in RouteTable.api {
                guard let needed = route.access.permission else { continue }
                // A key holding every permission but the one needed (and, for view, its manage too).
                let others = Permission.all.filter { $0.resource != needed.resource || $0.access < needed.access }
                let key = try await plane.makeAPIKey(in: plane.organization, permissions: others)
                try await plane.test { client in
                    let reply = try await send(
                        client, route.method, Self.concretePath(route), token: key, body: route.body == nil ? nil : "{}"
                    )
                    #expect(
                        reply.status == 403,
                        "\(route.method) \(route.path) answered \(reply.status) to a key without \(needed)")
                    #expect(reply.errorCode == "forbidden")
                }
            }
        }
    }
}
