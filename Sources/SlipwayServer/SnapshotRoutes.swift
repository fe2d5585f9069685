import SlipwayCore

/// Reading an environment's snapshots. Taking and restoring them is the snapshots issue's work.
enum SnapshotRoutes {
    static let all: [APIRoute] = [
        APIRoute(
            .get, "/api/environments/{environmentId}/snapshots", access: .permission(.view(.snapshots)),
            summary: "The environment's snapshots, newest first", resource: "snapshots",
            response: Schemas.list("Snapshot")
        ) { call in
            let environment = try await EnvironmentRoutes.environment(call)
            return .json(
                ItemList(
                    try await call.store.snapshots(
                        organizationId: environment.organizationId, environmentId: environment.id)))
        }
    ]
}
