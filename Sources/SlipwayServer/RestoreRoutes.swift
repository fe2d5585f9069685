import Foundation
import HTTPTypes
import SlipwayCore

/// Restoring a completed snapshot into its own instance or another instance of the same project on the
/// same server (production into staging): a `Restore` record, queued, whose steps the `snapshot.restore`
/// job writes as they begin and end. The restore belongs to the environment of the instance it
/// overwrites, where it is listed.
enum RestoreRoutes {
    struct Create: Decodable {
        var instanceId: String?
        var safetySnapshot: Bool?
        static let schema = Schema.object(properties: ["instanceId": Schemas.id, "safetySnapshot": .boolean])
    }

    static let all: [APIRoute] = [
        APIRoute(
            .post, "/api/environments/{environmentId}/snapshots/{snapshotId}/restore",
            access: .permission(.manage(.snapshots)),
            summary:
                "Queue a restore of a completed snapshot into its instance, or into instanceId (same project and "
                + "server); a safety snapshot is taken first unless safetySnapshot is false",
            resource: "snapshots", body: Create.schema, status: .accepted, response: .reference("Restore")
        ) { call in
            let snapshot = try await SnapshotRoutes.snapshot(call)
            let input = try call.decode(Create.self, ifAbsent: Create())
            guard snapshot.status == .completed else {
                throw SlipwayError(
                    .conflict, code: "snapshot_not_completed",
                    message: "snapshot \(snapshot.id) is \(snapshot.status.rawValue): only a completed snapshot "
                        + "can be restored")
            }
            let target = try await target(call, of: snapshot, id: input.instanceId)
            let now = call.backend.clock()
            let restore = Restore(
                organizationId: target.organizationId, environmentId: target.environmentId, snapshotId: snapshot.id,
                instanceId: target.id, safetySnapshot: input.safetySnapshot ?? true, status: .queued, createdAt: now)
            try await call.store.createRestore(restore)
            // On the target's key: it never runs beside the target's deployment, snapshot or restart.
            try await call.store.enqueueJob(
                Job(
                    organizationId: restore.organizationId, kind: .snapshotRestore, subjectId: restore.id,
                    concurrencyKey: "instance:\(target.id)", createdAt: now))
            return .json(restore)
        }.optionalBody(),
        APIRoute(
            .get, "/api/environments/{environmentId}/restores", access: .permission(.view(.snapshots)),
            summary: "The restores into the environment's instances, newest first", resource: "snapshots",
            response: Schemas.list("Restore")
        ) { call in
            let environment = try await EnvironmentRoutes.environment(call)
            return .json(
                ItemList(
                    try await call.store.restores(
                        organizationId: environment.organizationId, environmentId: environment.id)))
        },
        APIRoute(
            .get, "/api/environments/{environmentId}/restores/{restoreId}", access: .permission(.view(.snapshots)),
            summary: "One restore: its status, its reason and its steps as they happened", resource: "snapshots",
            response: .reference("Restore")
        ) { call in
            .json(try await restore(call))
        },
        APIRoute(
            .get, "/api/environments/{environmentId}/restores/{restoreId}/events",
            access: .permission(.view(.snapshots)),
            summary:
                "The restore as Server-Sent Events: a `step` event per step (its index as the id; Last-Event-ID "
                + "skips those seen), one per step added or changed, then a `restore` event with the record once "
                + "it is completed or failed, which ends the stream",
            resource: "snapshots", response: nil
        ) { call in
            let restore = try await restore(call)
            let lastEventId = HTTPField.Name("Last-Event-ID").flatMap { call.request.headers[$0] }.flatMap { Int($0) }
            return .events(RestoreEvents(store: call.store, restore: restore, seen: lastEventId ?? 0))
        }.streamingEvents(),
    ]

    /// The restore the path names, in the path's environment (404 otherwise, and for another organization's).
    static func restore(_ call: RouteCall) async throws -> Restore {
        let environment = try await EnvironmentRoutes.environment(call)
        guard
            let restore = try await call.store.restore(
                organizationId: environment.organizationId, id: try call.parameter("restoreId")),
            restore.environmentId == environment.id
        else { throw SlipwayError.notFound("restore") }
        return restore
    }

    /// The instance a restore of `snapshot` overwrites: `id`, or the snapshot's own. It must be of the
    /// snapshot's project and on the server its files are on (422 `instanceId` otherwise).
    static func target(_ call: RouteCall, of snapshot: Snapshot, id: String?) async throws -> Instance {
        let organizationId = snapshot.organizationId
        guard let source = try await call.store.instance(organizationId: organizationId, id: snapshot.instanceId)
        else {
            throw SlipwayError(
                .conflict, code: "instance_gone",
                message: "the snapshot's instance \(snapshot.instanceId) no longer exists: a snapshot is restored "
                    + "only while its instance exists")
        }
        guard let id else {
            try SnapshotRoutes.snapshottable(source)
            return source
        }
        guard let target = try await call.store.instance(organizationId: organizationId, id: id),
            target.projectId == source.projectId
        else {
            throw SlipwayError.invalid(
                "instanceId",
                "no instance '\(id.prefix(60))' in this project: a snapshot restores into an instance "
                    + "of its own project")
        }
        guard target.serverId == source.serverId else {
            throw SlipwayError.invalid(
                "instanceId",
                "instance \(target.name) runs on another server than the snapshot's files (server "
                    + "\(source.serverId)): restore into an instance on that server")
        }
        try SnapshotRoutes.snapshottable(target)
        return target
    }

    /// A restore of `snapshot` that is queued or running, in any environment of its project (a restore is
    /// listed under the environment of the instance it overwrites).
    static func pending(of snapshot: Snapshot, _ call: RouteCall) async throws -> Restore? {
        guard
            let environment = try await call.store.environment(
                organizationId: snapshot.organizationId, id: snapshot.environmentId)
        else { return nil }
        for sibling in try await call.store.environments(
            organizationId: snapshot.organizationId, projectId: environment.projectId)
        {
            let restores = try await call.store.restores(
                organizationId: snapshot.organizationId, environmentId: sibling.id)
            if let restore = restores.first(where: {
                $0.snapshotId == snapshot.id && ($0.status == .queued || $0.status == .running)
            }) {
                return restore
            }
        }
        return nil
    }
}
