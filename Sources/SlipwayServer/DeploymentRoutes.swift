import HTTPTypes
import SlipwayCore

/// Deployments, with the paths and fields of ARCHITECTURE.md: reading them and following one as it runs
/// here; deploying, rolling back and cancelling in `DeploymentRoutes+Trigger.swift`.
enum DeploymentRoutes {
    static let all: [APIRoute] = reading + triggering

    static let reading: [APIRoute] = [
        APIRoute(
            .get, "/api/projects/{projectId}/deployments", access: .permission(.view(.deployments)),
            summary: "A page of the project's deployments, newest first, with the total count", resource: "deployments",
            query: [
                .init(
                    name: "limit", schema: .integer(minimum: 1, maximum: 100),
                    description: "page size, 1 to 100 (default 20)"),
                .init(name: "offset", schema: .integer(minimum: 0), description: "how many to skip (default 0)"),
            ], response: Schemas.page("Deployment")
        ) { call in
            let page = try PageRequest(
                limit: try call.queryInt("limit", default: 20), offset: try call.queryInt("offset", default: 0))
            // One read checks the project and pages its deployments: this is the route the dashboard polls.
            guard
                let deployments = try await call.store.deployments(
                    organizationId: try call.caller.organization.id, projectId: try call.parameter("projectId"),
                    page: page)
            else { throw SlipwayError.notFound("project") }
            return .json(deployments)
        },
        APIRoute(
            .get, "/api/projects/{projectId}/deployments/{deploymentId}", access: .permission(.view(.deployments)),
            summary: "One deployment with its steps", resource: "deployments", response: .reference("Deployment")
        ) { call in
            .json(try await deployment(call))
        },
        APIRoute(
            .get, "/api/deployments/{deploymentId}", access: .permission(.view(.deployments)),
            summary: "One deployment with its steps, by its id alone (its projectId names its project)",
            resource: "deployments", response: .reference("Deployment")
        ) { call in
            guard
                let deployment = try await call.store.deployment(
                    organizationId: try call.caller.organization.id, id: try call.parameter("deploymentId"))
            else { throw SlipwayError.notFound("deployment") }
            return .json(deployment)
        },
        APIRoute(
            .get, "/api/projects/{projectId}/deployments/{deploymentId}/events",
            access: .permission(.view(.deployments)),
            summary:
                "The deployment as Server-Sent Events: a `step` event per step (its index as the id; Last-Event-ID "
                + "skips those seen), one each time a step's status or output changes, then a `deployment` event "
                + "with the record once it is completed, failed or cancelled, which ends the stream",
            resource: "deployments", response: nil
        ) { call in
            let deployment = try await deployment(call)
            let lastEventId = HTTPField.Name("Last-Event-ID").flatMap { call.request.headers[$0] }.flatMap { Int($0) }
            return .events(DeploymentEvents(store: call.store, deployment: deployment, seen: lastEventId ?? 0))
        }.streamingEvents(),
    ]

    /// The deployment the path names, of the path's project (404 otherwise, and for another organization's).
    static func deployment(_ call: RouteCall) async throws -> Deployment {
        let project = try await ProjectRoutes.project(call)
        guard
            let deployment = try await call.store.deployment(
                organizationId: project.organizationId, id: try call.parameter("deploymentId")),
            deployment.projectId == project.id
        else { throw SlipwayError.notFound("deployment") }
        return deployment
    }
}
