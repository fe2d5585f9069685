import Foundation
import HTTPTypes
import HummingbirdTesting
import SlipwayCore
import SlipwayServer
import SlipwayTesting
import Testing

/// Snapshots and restores through the API without a job runner: the records and the jobs each route
/// queues, and what it refuses. Taking and restoring for real is the engine's SnapshotTests' business.
@Suite("Snapshots through the API")
struct SnapshotAPITests {
    /// An Odoo project with a production and a staging environment on an active (made-up) server.
    struct World {
        var serverId: String
        var projectId: String
        var production: String
        var staging: String
    }

    static func world(_ client: any TestClientProtocol, _ plane: TestControlPlane, host: String = "10.0.0.5")
        async throws -> World
    {
        let token = plane.ownerToken
        let serverId = try await create(
            client, "/api/servers", token: token,
            body: #"{"name":"web1","host":"\#(host)","user":"deploy","password":"pw"}"#)
        try await markActive(plane, serverId: serverId)
        let projectId = try await create(
            client, "/api/projects", token: token,
            body: #"{"name":"Shop","repoUrl":"https://git.example.test/shop.git","kind":"odoo"}"#)
        let production = try await create(
            client, "/api/projects/\(projectId)/environments", token: token,
            body: #"{"name":"Production","type":"production","branch":"main"}"#)
        let staging = try await create(
            client, "/api/projects/\(projectId)/environments", token: token,
            body: #"{"name":"Staging","type":"staging","branch":"staging"}"#)
        return World(serverId: serverId, projectId: projectId, production: production, staging: staging)
    }

    static func instance(
        _ client: any TestClientProtocol, _ plane: TestControlPlane, _ environmentId: String, name: String,
        serverId: String
    ) async throws -> String {
        try await create(
            client, "/api/environments/\(environmentId)/instances", token: plane.ownerToken,
            body: #"{"name":"\#(name)","serverId":"\#(serverId)"}"#)
    }

    /// A snapshot record of `instanceId` as a finished `snapshot.create` job leaves it.
    static func snapshot(
        _ plane: TestControlPlane, environmentId: String, instanceId: String, status: Snapshot.Status = .completed,
        pinned: Bool = false
    ) async throws -> Snapshot {
        var snapshot = Snapshot(
            organizationId: plane.organization.id, environmentId: environmentId, instanceId: instanceId,
            kind: .manual, status: .pending)
        try await plane.store.createSnapshot(snapshot)
        snapshot.status = status
        if status == .completed {
            snapshot.databaseBytes = 4096
            snapshot.databaseSha256 = String(repeating: "a", count: 64)
            snapshot.sizeBytes = 4096
            snapshot.location = "slipway-snapshots-srv:/\(snapshot.id)/"
            snapshot.completedAt = Date()
        }
        snapshot = try #require(try await plane.store.updateSnapshot(snapshot))
        if pinned {
            snapshot = try #require(
                try await plane.store.setSnapshotPinned(
                    organizationId: snapshot.organizationId, id: snapshot.id, pinned: true))
        }
        return snapshot
    }

    /// Every field of `reply` is in the OpenAPI schema `name`, and every field it requires is there.
    static func expectMatches(_ reply: Reply, schema name: String, _ client: any TestClientProtocol) async throws {
        let document = try await send(client, .get, "/api/openapi.json")
        let schema = document["components"]?["schemas"]?[name]
        guard case .object(let fields)? = reply.json, case .object(let properties)? = schema?["properties"],
            case .array(let required)? = schema?["required"]
        else {
            Issue.record("no \(name) schema, or the reply is not an object: \(reply.text.prefix(200))")
            return
        }
        for key in fields.keys { #expect(properties[key] != nil, "\(name) does not declare \(key)") }
        for case .string(let key) in required { #expect(fields[key] != nil, "\(name) requires \(key): \(reply.text)") }
    }

    @Test("taking snapshots queues a pending manual snapshot and a job per instance, on the instance's key")
    func take() async throws {
        try await TestControlPlane.with { plane in
            try await plane.test { client in
                let token = plane.ownerToken
                let world = try await Self.world(client, plane)
                let snapshots = "/api/environments/\(world.production)/snapshots"

                let none = try await send(client, .post, snapshots, token: token)
                #expect(none.status == 409 && none.errorCode == "no_instance", "\(none.text)")

                let web = try await Self.instance(
                    client, plane, world.production, name: "web", serverId: world.serverId)
                let shop = try await Self.instance(
                    client, plane, world.production, name: "shop", serverId: world.serverId)
                let other = try await Self.instance(
                    client, plane, world.staging, name: "shop-staging", serverId: world.serverId)

                // No body: every instance of the environment.
                let all = try await send(client, .post, snapshots, token: token)
                #expect(all.status == 202, "\(all.text)")
                #expect(Set(all.items.compactMap { $0["instanceId"]?.string }) == [web, shop])
                for item in all.items {
                    #expect(item["kind"]?.string == "manual" && item["status"]?.string == "pending")
                    #expect(item["environmentId"]?.string == world.production)
                    let id = try #require(item["id"]?.string)
                    let record = try #require(
                        try await plane.store.snapshot(organizationId: plane.organization.id, id: id))
                    #expect(record.status == .pending && record.kind == .manual)
                    let jobs = try await plane.store.jobs(organizationId: plane.organization.id, subjectId: id)
                    #expect(jobs.count == 1)
                    #expect(jobs.first?.kind == .snapshotCreate)
                    #expect(jobs.first?.concurrencyKey == "instance:\(record.instanceId)")
                }

                // One instance; an instance of another environment, or of none, is the field at fault.
                let one = try await send(client, .post, snapshots, token: token, body: #"{"instanceId":"\#(shop)"}"#)
                #expect(one.status == 202, "\(one.text)")
                #expect(one.items.map { $0["instanceId"]?.string } == [shop])
                for id in [other, "ins_nope"] {
                    let refused = try await send(
                        client, .post, snapshots, token: token, body: #"{"instanceId":"\#(id)"}"#)
                    #expect(refused.status == 422 && refused.errorField == "instanceId", "\(refused.text)")
                }
                let unknown = try await send(client, .post, snapshots, token: token, body: #"{"kind":"backup"}"#)
                #expect(unknown.status == 422 && unknown.errorField == "kind", "\(unknown.text)")

                let listed = try await send(client, .get, snapshots, token: token)
                #expect(listed.items.count == 3, "nothing refused left a record: \(listed.text)")
                #expect(listed.items.first?["id"] == one.items.first?["id"], "newest first")
                try await Self.expectMatches(
                    Reply(status: 200, json: one.items.first, text: "", headers: [:]), schema: "Snapshot", client)
                #expect(
                    try await send(client, .get, "/api/environments/\(world.staging)/snapshots", token: token).items
                        .isEmpty)
            }
        }
    }

    @Test("show, pin and unpin; a pinned, running or restoring snapshot is not deleted; another environment's is 404")
    func pinAndDelete() async throws {
        try await TestControlPlane.with { plane in
            try await plane.test { client in
                let token = plane.ownerToken
                let world = try await Self.world(client, plane)
                let web = try await Self.instance(
                    client, plane, world.production, name: "web", serverId: world.serverId)
                let snapshot = try await Self.snapshot(plane, environmentId: world.production, instanceId: web)
                let path = "/api/environments/\(world.production)/snapshots/\(snapshot.id)"

                let shown = try await send(client, .get, path, token: token)
                #expect(shown.status == 200 && shown["databaseSha256"]?.string == snapshot.databaseSha256)
                try await Self.expectMatches(shown, schema: "Snapshot", client)
                for method in [HTTPRequest.Method.get, .delete] {
                    let elsewhere = try await send(
                        client, method, "/api/environments/\(world.staging)/snapshots/\(snapshot.id)", token: token)
                    #expect(elsewhere.status == 404, "\(method) under another environment: \(elsewhere.text)")
                }
                let missing = try await send(
                    client, .post, "/api/environments/\(world.production)/snapshots/snp_nope/pin", token: token)
                #expect(missing.status == 404)

                let pinned = try await send(client, .post, path + "/pin", token: token)
                #expect(pinned.status == 200 && pinned["pinned"] == .bool(true), "\(pinned.text)")
                let refused = try await send(client, .delete, path, token: token)
                #expect(refused.status == 409 && refused.errorCode == "snapshot_pinned", "\(refused.text)")
                let kept = try await plane.store.snapshot(organizationId: plane.organization.id, id: snapshot.id)
                #expect(kept?.pinned == true)
                let unpinned = try await send(client, .post, path + "/unpin", token: token)
                #expect(unpinned.status == 200 && unpinned["pinned"] == .bool(false), "\(unpinned.text)")

                let running = try await Self.snapshot(
                    plane, environmentId: world.production, instanceId: web, status: .running)
                let busy = try await send(
                    client, .delete, "/api/environments/\(world.production)/snapshots/\(running.id)", token: token)
                #expect(busy.status == 409 && busy.errorCode == "snapshot_running", "\(busy.text)")

                // A queued restore of it, into staging, keeps its files.
                let copy = try await Self.instance(
                    client, plane, world.staging, name: "shop-staging", serverId: world.serverId)
                let restore = try await send(
                    client, .post, path + "/restore", token: token, body: #"{"instanceId":"\#(copy)"}"#)
                #expect(restore.status == 202, "\(restore.text)")
                let inUse = try await send(client, .delete, path, token: token)
                #expect(inUse.status == 409 && inUse.errorCode == "snapshot_in_use", "\(inUse.text)")
            }
        }
    }

    @Test("the estimate is not taken for a snapshot id; a server that does not answer is a 503 and deletes nothing")
    func estimateAndUnreachable() async throws {
        try await TestControlPlane.with { plane in
            try await plane.test { client in
                let token = plane.ownerToken
                // Nothing listens on this port: the SSH connection is refused at once.
                let world = try await Self.world(client, plane, host: "127.0.0.1")
                var server = try #require(
                    try await plane.store.server(organizationId: plane.organization.id, id: world.serverId))
                server.port = try LoopbackSocket.freePort()
                _ = try await plane.store.updateServer(server)
                let estimate = "/api/environments/\(world.production)/snapshots/estimate"

                let empty = try await send(client, .get, estimate, token: token)
                #expect(empty.status == 200, "\(empty.text)")
                #expect(empty["totalBytes"]?.int == 0 && empty["instances"] == .array([]))
                try await Self.expectMatches(empty, schema: "SnapshotEstimate", client)

                let web = try await Self.instance(
                    client, plane, world.production, name: "web", serverId: world.serverId)
                let copy = try await Self.instance(
                    client, plane, world.staging, name: "shop-staging", serverId: world.serverId)
                let elsewhere = try await send(client, .get, estimate + "?instanceId=\(copy)", token: token)
                #expect(elsewhere.status == 422 && elsewhere.errorField == "instanceId", "\(elsewhere.text)")
                let unreachable = try await send(client, .get, estimate + "?instanceId=\(web)", token: token)
                #expect(
                    unreachable.status == 503 && unreachable.errorCode == "server_unreachable", "\(unreachable.text)")

                let snapshot = try await Self.snapshot(plane, environmentId: world.production, instanceId: web)
                let delete = try await send(
                    client, .delete, "/api/environments/\(world.production)/snapshots/\(snapshot.id)", token: token)
                #expect(delete.status == 503 && delete.errorCode == "server_unreachable", "\(delete.text)")
                #expect(try await plane.store.snapshot(organizationId: plane.organization.id, id: snapshot.id) != nil)

                let document = try await send(client, .get, "/api/openapi.json")
                for (path, method) in [
                    ("/api/environments/{environmentId}/snapshots/estimate", "get"),
                    ("/api/environments/{environmentId}/snapshots/{snapshotId}", "delete"),
                ] {
                    #expect(document["paths"]?[path]?[method]?["responses"]?["503"] != nil, "\(path) documents 503")
                }
                let create = document["paths"]?["/api/environments/{environmentId}/snapshots"]?["post"]
                #expect(create?["requestBody"]?["required"] == .bool(false))
            }
        }
    }

    @Test("a restore of a completed snapshot is queued on the target's key, into its own or a staging instance")
    func restore() async throws {
        try await TestControlPlane.with { plane in
            try await plane.test { client in
                let token = plane.ownerToken
                let organizationId = plane.organization.id
                let world = try await Self.world(client, plane)
                let web = try await Self.instance(
                    client, plane, world.production, name: "web", serverId: world.serverId)
                let copy = try await Self.instance(
                    client, plane, world.staging, name: "shop-staging", serverId: world.serverId)
                let pending = try await Self.snapshot(
                    plane, environmentId: world.production, instanceId: web, status: .pending)
                let snapshots = "/api/environments/\(world.production)/snapshots"

                let early = try await send(client, .post, "\(snapshots)/\(pending.id)/restore", token: token)
                #expect(early.status == 409 && early.errorCode == "snapshot_not_completed", "\(early.text)")

                let snapshot = try await Self.snapshot(plane, environmentId: world.production, instanceId: web)
                let own = try await send(client, .post, "\(snapshots)/\(snapshot.id)/restore", token: token)
                #expect(own.status == 202, "\(own.text)")
                #expect(own["status"]?.string == "queued" && own["safetySnapshot"] == .bool(true))
                #expect(own["instanceId"]?.string == web && own["environmentId"]?.string == world.production)
                try await Self.expectMatches(own, schema: "Restore", client)
                let ownId = try #require(own["id"]?.string)
                let ownJobs = try await plane.store.jobs(organizationId: organizationId, subjectId: ownId)
                #expect(ownJobs.map(\.kind) == [.snapshotRestore])
                #expect(ownJobs.first?.concurrencyKey == "instance:\(web)")

                // Production into staging: listed under staging, the environment whose data it overwrites.
                let into = try await send(
                    client, .post, "\(snapshots)/\(snapshot.id)/restore", token: token,
                    body: #"{"instanceId":"\#(copy)","safetySnapshot":false}"#)
                #expect(into.status == 202, "\(into.text)")
                #expect(into["safetySnapshot"] == .bool(false) && into["environmentId"]?.string == world.staging)
                let intoId = try #require(into["id"]?.string)
                let intoJobs = try await plane.store.jobs(organizationId: organizationId, subjectId: intoId)
                #expect(intoJobs.map(\.concurrencyKey) == ["instance:\(copy)"])
                let shown = try await send(
                    client, .get, "/api/environments/\(world.staging)/restores/\(intoId)", token: token)
                #expect(shown.status == 200 && shown["snapshotId"]?.string == snapshot.id, "\(shown.text)")
                let notHere = try await send(
                    client, .get, "/api/environments/\(world.production)/restores/\(intoId)", token: token)
                #expect(notHere.status == 404)
                let production = try await send(
                    client, .get, "/api/environments/\(world.production)/restores", token: token)
                #expect(production.items.compactMap { $0["id"]?.string } == [ownId])
                let staging = try await send(client, .get, "/api/environments/\(world.staging)/restores", token: token)
                #expect(staging.items.compactMap { $0["id"]?.string } == [intoId])

                // Targets of another project, on another server, or nowhere are refused, and queue nothing.
                let otherProject = try await create(
                    client, "/api/projects", token: token,
                    body: #"{"name":"Blog","repoUrl":"https://git.example.test/blog.git","kind":"odoo"}"#)
                let otherEnvironment = try await create(
                    client, "/api/projects/\(otherProject)/environments", token: token,
                    body: #"{"name":"Production","type":"production","branch":"main"}"#)
                let blog = try await Self.instance(
                    client, plane, otherEnvironment, name: "blog", serverId: world.serverId)
                let secondServer = try await create(
                    client, "/api/servers", token: token,
                    body: #"{"name":"web2","host":"10.0.0.6","user":"deploy","password":"pw"}"#)
                try await markActive(plane, serverId: secondServer)
                let far = try await Self.instance(client, plane, world.staging, name: "far", serverId: secondServer)
                for target in [blog, far, "ins_nope"] {
                    let refused = try await send(
                        client, .post, "\(snapshots)/\(snapshot.id)/restore", token: token,
                        body: #"{"instanceId":"\#(target)"}"#)
                    #expect(refused.status == 422 && refused.errorField == "instanceId", "\(target): \(refused.text)")
                }
                let all = try await send(client, .get, "/api/environments/\(world.staging)/restores", token: token)
                #expect(all.items.count == 1)
            }
        }
    }
}
