import SlipwayCore
import SlipwayStore

/// The audit log of mutating requests, filtered and paged.
enum AuditRoutes {
    static let all: [APIRoute] = [
        APIRoute(
            .get, "/api/audit-logs", access: .permission(.view(.settings)),
            summary: "Mutating requests of the organization, newest first", resource: "audit-logs",
            query: [
                .init(
                    name: "actorId", schema: .string(maxLength: 100),
                    description: "only this user's (or key's) requests"),
                .init(name: "action", schema: .string(maxLength: 200), description: "like 'POST /api/projects'"),
                .init(name: "resource", schema: .string(maxLength: 100), description: "like 'projects'"),
                .init(name: "since", schema: .dateTime, description: "from this time on"),
                .init(name: "until", schema: .dateTime, description: "before this time"),
                .init(name: "limit", schema: .integer(minimum: 1, maximum: 100), description: "page size (default 50)"),
                .init(name: "offset", schema: .integer(minimum: 0), description: "how many to skip"),
            ], response: Schemas.page("AuditEntry")
        ) { call in
            let page = try PageRequest(
                limit: try call.queryInt("limit", default: 50), offset: try call.queryInt("offset", default: 0))
            let filter = AuditFilter(
                actorId: call.query("actorId"), action: call.query("action"), resource: call.query("resource"),
                since: try call.queryDate("since"), until: try call.queryDate("until"))
            return .json(
                try await call.store.auditEntries(
                    organizationId: try call.caller.organization.id, filter: filter, page: page))
        }
    ]
}
