import Foundation
import SlipwayCore

/// What a person must see about an environment's backups: one that did not run, failed, came out much
/// smaller than the one before, or failed its drill. An alert stays open until a later success of the
/// same subject resolves it, or a person does.
enum AlertRoutes {
    static let all: [APIRoute] = [
        APIRoute(
            .get, "/api/environments/{environmentId}/alerts", access: .permission(.view(.backups)),
            summary: "The environment's open alerts, newest first; with all=true the resolved ones too",
            resource: "backups",
            query: [.init(name: "all", schema: .boolean, description: "true: resolved alerts too (default false)")],
            response: Schemas.list("Alert")
        ) { call in
            let environment = try await EnvironmentRoutes.environment(call)
            return .json(
                ItemList(
                    try await call.store.alerts(
                        organizationId: environment.organizationId, environmentId: environment.id,
                        includeResolved: try call.queryBool("all", default: false))))
        },
        APIRoute(
            .post, "/api/environments/{environmentId}/alerts/{alertId}/resolve",
            access: .permission(.manage(.backups)),
            summary: "Resolve an alert by hand (one already resolved is answered as it is)", resource: "backups",
            response: .reference("Alert")
        ) { call in
            let environment = try await EnvironmentRoutes.environment(call)
            let id = try call.parameter("alertId")
            let alerts = try await call.store.alerts(
                organizationId: environment.organizationId, environmentId: environment.id, includeResolved: true)
            guard alerts.contains(where: { $0.id == id }),
                let resolved = try await call.store.resolveAlert(
                    organizationId: environment.organizationId, id: id, at: call.backend.clock())
            else { throw SlipwayError.notFound("alert") }
            return .json(resolved)
        },
    ]
}

extension Alert: IdentifiedRecord {}
