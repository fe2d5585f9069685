import SlipwayCore

/// `GET /api/me`: who the token is, where it acts, what it may do.
enum MeRoutes {
    struct Me: Encodable, Sendable {
        var user: User?
        var organization: Organization
        var permissions: [Permission]
        var tokenKind: APIToken.Kind
        var role: String?
    }

    static let all: [APIRoute] = [
        APIRoute(
            .get, "/api/me", access: .authenticated, summary: "The caller, its organization and permissions",
            resource: "me",
            response: .reference("Me")
        ) { call in
            let caller = try call.caller
            return .json(
                Me(
                    user: caller.user, organization: caller.organization, permissions: caller.permissions.sorted,
                    tokenKind: caller.token.kind, role: caller.role))
        }
    ]
}
