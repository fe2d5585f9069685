import SlipwayCore

/// Reading deployments, with the paths and fields of ARCHITECTURE.md. Triggering them is the pipeline issue's work.
enum DeploymentRoutes {
    static let all: [APIRoute] = [
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
            let project = try await ProjectRoutes.project(call)
            guard
                let deployment = try await call.store.deployment(
                    organizationId: project.organizationId, id: try call.parameter("deploymentId")),
                deployment.projectId == project.id
            else { throw SlipwayError.notFound("deployment") }
            return .json(deployment)
        },
    ]
}
