import Foundation
import SlipwayCore

/// An environment's snapshots: list, take (a `snapshot.create` job per instance), show, pin and unpin,
/// delete (its files on the server too), and the size the next one will take. Restoring one is in
/// `RestoreRoutes`.
enum SnapshotRoutes {
    struct Create: Decodable {
        var instanceId: String?
        static let schema = Schema.object(properties: ["instanceId": Schemas.id])
    }

    /// What `GET .../snapshots/estimate` answers.
    struct Estimate: Encodable, Sendable {
        struct Part: Encodable, Sendable {
            var instanceId: String
            var databaseBytes: Int
            var filestoreBytes: Int
        }

        var databaseBytes: Int
        var filestoreBytes: Int
        var totalBytes: Int
        var instances: [Part]

        init(_ parts: [Part]) {
            instances = parts
            databaseBytes = parts.reduce(0) { $0 + $1.databaseBytes }
            filestoreBytes = parts.reduce(0) { $0 + $1.filestoreBytes }
            totalBytes = databaseBytes + filestoreBytes
        }
    }

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
        },
        APIRoute(
            .post, "/api/environments/{environmentId}/snapshots", access: .permission(.manage(.snapshots)),
            summary:
                "Queue a manual snapshot of each of the environment's instances that has a database, or of instanceId only",
            resource: "snapshots", body: Create.schema, status: .accepted, response: Schemas.list("Snapshot")
        ) { call in
            let environment = try await EnvironmentRoutes.environment(call)
            let input = try call.decode(Create.self, ifAbsent: Create())
            let now = call.backend.clock()
            var taken: [Snapshot] = []
            for instance in try await instances(call, environment, only: input.instanceId) {
                let snapshot = Snapshot(
                    organizationId: instance.organizationId, environmentId: environment.id, instanceId: instance.id,
                    kind: .manual, status: .pending, createdAt: now)
                try await call.store.createSnapshot(snapshot)
                // On the instance's key: never beside its deployment, restart or restore.
                try await call.store.enqueueJob(
                    Job(
                        organizationId: instance.organizationId, kind: .snapshotCreate, subjectId: snapshot.id,
                        concurrencyKey: "instance:\(instance.id)", createdAt: now))
                taken.append(snapshot)
            }
            return .json(ItemList(taken))
        }.optionalBody(),
        estimate,
        APIRoute(
            .get, "/api/environments/{environmentId}/snapshots/{snapshotId}", access: .permission(.view(.snapshots)),
            summary: "One snapshot: its status, sizes, checksums and where its files are", resource: "snapshots",
            response: .reference("Snapshot")
        ) { call in
            .json(try await snapshot(call))
        },
        pin("pin", true, summary: "Pin a snapshot: it is kept until unpinned, and cannot be deleted"),
        pin("unpin", false, summary: "Unpin a snapshot: it can be deleted again"),
        APIRoute(
            .delete, "/api/environments/{environmentId}/snapshots/{snapshotId}",
            access: .permission(.manage(.snapshots)),
            summary: "Delete a snapshot's files on its server, then its record; a pinned one is refused (409)",
            resource: "snapshots", status: .noContent, response: nil
        ) { call in
            let snapshot = try await snapshot(call)
            guard !snapshot.pinned else {
                throw SlipwayError(
                    .conflict, code: "snapshot_pinned", message: "the snapshot is pinned: unpin it first to delete it")
            }
            guard snapshot.status != .running else {
                throw SlipwayError(
                    .conflict, code: "snapshot_running",
                    message: "the snapshot is being taken: delete it once it has ended")
            }
            if let restore = try await RestoreRoutes.pending(of: snapshot, call) {
                throw SlipwayError(
                    .conflict, code: "snapshot_in_use",
                    message: "restore \(restore.id) of this snapshot is \(restore.status.rawValue): delete it once "
                        + "that has ended")
            }
            try await onServer("the snapshot's server did not answer; its files and record stay") {
                try await call.backend.snapshots.delete(snapshot)
            }
            return .empty
        }.reachingServer(),
    ]

    /// `GET .../snapshots/estimate`, declared apart so its constant segment is plainly not a snapshot id.
    static let estimate = APIRoute(
        .get, "/api/environments/{environmentId}/snapshots/estimate", access: .permission(.view(.snapshots)),
        summary:
            "The size the next snapshot will take at most: each instance's database size and filestore size, and the sum",
        resource: "snapshots",
        query: [
            .init(name: "instanceId", schema: Schemas.id, description: "Only this instance of the environment")
        ],
        response: .reference("SnapshotEstimate")
    ) { call in
        let environment = try await EnvironmentRoutes.environment(call)
        let instances = try await instances(call, environment, only: call.query("instanceId"), requireOne: false)
        let operations = call.backend.snapshots
        let parts = try await onServer("the instance's server did not answer") {
            try await withThrowingTaskGroup(of: (Int, Estimate.Part).self) { group in
                for (index, instance) in instances.enumerated() {
                    group.addTask {
                        let sizes = try await operations.estimate(instance)
                        return (
                            index,
                            Estimate.Part(
                                instanceId: instance.id, databaseBytes: sizes.databaseBytes,
                                filestoreBytes: sizes.filestoreBytes)
                        )
                    }
                }
                var parts: [(Int, Estimate.Part)] = []
                for try await part in group { parts.append(part) }
                return parts.sorted { $0.0 < $1.0 }.map(\.1)
            }
        }
        return .json(Estimate(parts))
    }.reachingServer()

    static func pin(_ action: String, _ pinned: Bool, summary: String) -> APIRoute {
        APIRoute(
            .post, "/api/environments/{environmentId}/snapshots/{snapshotId}/\(action)",
            access: .permission(.manage(.snapshots)), summary: summary, resource: "snapshots",
            response: .reference("Snapshot")
        ) { call in
            let snapshot = try await snapshot(call)
            guard
                let changed = try await call.store.setSnapshotPinned(
                    organizationId: snapshot.organizationId, id: snapshot.id, pinned: pinned)
            else { throw SlipwayError.notFound("snapshot") }
            return .json(changed)
        }
    }

    /// The snapshot the path names, in the environment the path names; any other is 404.
    static func snapshot(_ call: RouteCall) async throws -> Snapshot {
        let environment = try await EnvironmentRoutes.environment(call)
        guard
            let snapshot = try await call.store.snapshot(
                organizationId: environment.organizationId, id: try call.parameter("snapshotId")),
            snapshot.environmentId == environment.id
        else { throw SlipwayError.notFound("snapshot") }
        return snapshot
    }

    /// The instances a snapshot of the environment covers: `only` (422 `instanceId` when it is not one of
    /// the environment's), else every instance with a database that is not being removed. With
    /// `requireOne`, an environment without any is a conflict.
    static func instances(
        _ call: RouteCall, _ environment: Environment, only id: String?, requireOne: Bool = true
    ) async throws -> [Instance] {
        let all = try await call.store.instances(
            organizationId: environment.organizationId, environmentId: environment.id)
        if let id {
            guard let instance = all.first(where: { $0.id == id }) else {
                throw SlipwayError.invalid("instanceId", "no instance '\(id.prefix(60))' in this environment")
            }
            try snapshottable(instance)
            return [instance]
        }
        let covered = all.filter { $0.databaseName != nil && $0.status != .removing }
        if requireOne, all.isEmpty {
            throw SlipwayError(
                .conflict, code: "no_instance",
                message: "the environment has no instance to snapshot: create one first (slipway instance create)")
        }
        if requireOne, covered.isEmpty {
            throw SlipwayError(
                .conflict, code: "no_database",
                message: "none of the environment's instances has a database to snapshot")
        }
        return covered
    }

    /// Throws unless a snapshot of `instance` can be taken (or restored into it).
    static func snapshottable(_ instance: Instance) throws {
        guard instance.status != .removing else {
            throw SlipwayError(
                .conflict, code: "instance_removing", message: "instance \(instance.name) is being removed")
        }
        guard instance.databaseName != nil else {
            throw SlipwayError(
                .conflict, code: "no_database", message: "instance \(instance.name) has no database")
        }
    }

    /// Runs work that reaches a server; a failure there (not a refusal of ours) is a 503 saying `what`.
    static func onServer<T: Sendable>(_ what: String, _ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch let error as SlipwayError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw SlipwayError(.unavailable, code: "server_unreachable", message: "\(what): \(error)")
        }
    }
}
