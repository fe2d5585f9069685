import Foundation
import NIOHTTP1
import SlipwayCore
import SlipwayStore
import SlipwayTesting
import Testing

@testable import SlipwayDrivers
@testable import SlipwayEngine

/// Snapshots and restores of an Odoo (stand-in) instance with real rows in its database and real files
/// in its filestore, on the database service's container and the server's snapshot volume.
@Suite("Snapshots and restore", .serialized)
struct SnapshotTests {
    typealias World = InstanceLifecycleTests.World

    /// A running Odoo stand-in with three notes (rows and filestore files).
    static func shop(_ world: World) async throws -> Instance {
        var shop = try await InstanceLifecycleTests.create(
            world, kind: .odoo, name: "shop", image: "slipway/odoo-standin:latest", port: 8069,
            healthPath: "/web/health")
        try await world.operations.provision(shop)
        shop = try await InstanceLifecycleTests.reload(world, shop)
        try #require(shop.status == .running, "\(shop.statusReason ?? "")")
        for text in ["first", "second", "third"] {
            let note = try await InstanceLifecycleTests.throughProxy(
                world, shop, .POST, "/standin/notes", json: #"{"text":"\#(text)"}"#)
            try #require(note.status == 201, "\(note.body)")
        }
        return shop
    }

    /// A checksum of the notes table, read as the instance's own role, and the filestore's file list.
    static func state(_ world: World, _ shop: Instance) async throws -> (rows: String, files: String) {
        let service = DatabaseService(
            docker: world.docker, server: world.server, image: InstanceLifecycleTests.images.database)
        let name = try #require(shop.databaseName)
        let password = try InstanceLifecycleTests.secrets.open(
            try #require(
                try await world.store.encryptedInstanceDatabasePassword(
                    organizationId: shop.organizationId, instanceId: shop.id)))
        let rows = try await DatabaseServiceTests.sql(
            world.docker, service, role: name, password: password, database: name,
            "SELECT count(*) || ':' || md5(string_agg(id || '=' || text, ',' ORDER BY id)) FROM standin_notes")
        // The files (their names are the sha1 of their contents) and sizes, whatever the database is called.
        struct Listing: Decodable {
            struct File: Decodable {
                let file: String
                let size: Int
            }
            let files: [File]
        }
        let answer = try await InstanceLifecycleTests.throughProxy(world, shop, .GET, "/standin/files")
        let listing = try JSONDecoder().decode(Listing.self, from: Data(answer.body.utf8))
        return (rows.stdout, listing.files.map { "\($0.file):\($0.size)" }.joined(separator: ","))
    }

    static func snapshot(_ world: World, _ shop: Instance, _ operations: SnapshotOperations) async throws -> Snapshot {
        let record = Snapshot(
            organizationId: shop.organizationId, environmentId: shop.environmentId, instanceId: shop.id, kind: .manual)
        try await world.store.createSnapshot(record)
        return try await operations.take(record)
    }

    @Test("snapshot, change and delete rows and files, restore: exactly the old rows and files are back")
    func snapshotAndRestore() async throws {
        try await InstanceLifecycleTests.withWorld { world in
            let operations = SnapshotOperations(instances: world.operations)
            let shop = try await Self.shop(world)
            let before = try await Self.state(world, shop)
            #expect(before.rows.hasPrefix("3:"), "\(before.rows)")

            let snapshot = try await Self.snapshot(world, shop, operations)
            #expect(snapshot.status == .completed, "\(snapshot.statusReason ?? "")")
            #expect((snapshot.databaseBytes ?? 0) > 0 && (snapshot.filestoreBytes ?? 0) > 0)
            #expect(snapshot.databaseSha256?.count == 64 && snapshot.filestoreSha256?.count == 64)
            #expect(snapshot.sizeBytes == (snapshot.databaseBytes ?? 0) + (snapshot.filestoreBytes ?? 0))
            let estimate = try await operations.estimate(shop)
            #expect(estimate.databaseBytes > 0 && estimate.filestoreBytes > 0)

            // Change and delete: a row goes, another changes, a new note and file come, a file goes.
            let name = try #require(shop.databaseName)
            let service = DatabaseService(
                docker: world.docker, server: world.server, image: InstanceLifecycleTests.images.database)
            _ = try await service.run(
                [
                    "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", name, "-c",
                    "DELETE FROM standin_notes WHERE text = 'first'; UPDATE standin_notes SET text = 'changed' WHERE text = 'second'",
                ])
            _ = try await InstanceLifecycleTests.throughProxy(
                world, shop, .POST, "/standin/notes", json: #"{"text":"fourth"}"#)
            _ = try await world.docker.exec(
                shop.containerName(.blue),
                command: ["find", "/var/lib/odoo/filestore", "-type", "f", "-delete"], timeout: .seconds(30))
            let changed = try await Self.state(world, shop)
            #expect(changed.rows != before.rows)
            #expect(changed.files != before.files)

            let report = try await operations.restore(snapshot)
            #expect(report.safetySnapshotId != nil)
            let restored = try await InstanceLifecycleTests.reload(world, shop)
            #expect(restored.status == .running, "\(restored.statusReason ?? "")")
            let after = try await Self.state(world, restored)
            #expect(after.rows == before.rows)
            #expect(after.files == before.files)
            #expect(try await service.databases().filter { $0.hasPrefix(name) } == [name], "no fresh or old copy stays")

            // The safety snapshot holds the changed state, in case the restore was the mistake.
            let safetyId = try #require(report.safetySnapshotId)
            let safety = try #require(try await world.store.snapshot(organizationId: shop.organizationId, id: safetyId))
            #expect(safety.status == .completed)
        }
    }

    @Test("a restore job copies production into staging step by step, and records each step")
    func restoreIntoStaging() async throws {
        try await InstanceLifecycleTests.withWorld { world in
            let operations = SnapshotOperations(instances: world.operations)
            let production = try await Self.shop(world)
            let staging = SlipwayCore.Environment(
                organizationId: world.organization.id, projectId: world.odoo.project.id, name: "Staging",
                type: .staging, branch: "staging")
            try await world.store.createEnvironment(staging)
            let id = Identifier.make("ins")
            var copy = try await world.store.createInstance(
                Instance(
                    id: id, organizationId: world.organization.id, projectId: world.odoo.project.id,
                    environmentId: staging.id, serverId: world.server.id, name: "shop-staging", kind: .odoo,
                    status: .creating, port: 8069, healthPath: "/web/health", image: "slipway/odoo-standin:latest",
                    databaseName: "slipway_" + id.dropFirst(4)),
                encryptedDatabasePassword: try InstanceLifecycleTests.secrets.seal(Identifier.secret(bytes: 24)))
            try await world.operations.provision(copy)
            copy = try await InstanceLifecycleTests.reload(world, copy)
            #expect(copy.status == .running)
            #expect(try await Self.state(world, copy).rows != (try await Self.state(world, production)).rows)

            let snapshot = try await Self.snapshot(world, production, operations)
            let restore = Restore(
                organizationId: copy.organizationId, environmentId: copy.environmentId, snapshotId: snapshot.id,
                instanceId: copy.id)
            try await world.store.createRestore(restore)
            let handler = SnapshotJobHandler(kind: .snapshotRestore, operations: operations)
            try await handler.run(
                Job(organizationId: copy.organizationId, kind: .snapshotRestore, subjectId: restore.id))

            let done = try #require(try await world.store.restore(organizationId: copy.organizationId, id: restore.id))
            #expect(done.status == .completed, "\(done.statusReason ?? "")")
            #expect(done.safetySnapshotId != nil)
            #expect(done.steps.map(\.name).first == "check the snapshot's checksums")
            #expect(done.steps.contains { $0.name == "swap the restored database in" })
            #expect(done.steps.allSatisfy { $0.status == .completed && $0.startedAt != nil && $0.completedAt != nil })
            let restored = try await InstanceLifecycleTests.reload(world, copy)
            #expect(restored.status == .running)
            // Staging now holds production's rows and files, in its own database.
            let copied = try await Self.state(world, restored)
            let original = try await Self.state(world, production)
            #expect(copied.rows == original.rows)
            #expect(copied.files == original.files, "\(copied.files) vs \(original.files)")
        }
    }

    @Test("a truncated dump is detected and not restored; a restore that fails halfway leaves the data as it was")
    func brokenSnapshots() async throws {
        try await InstanceLifecycleTests.withWorld { world in
            let operations = SnapshotOperations(instances: world.operations)
            let shop = try await Self.shop(world)
            let before = try await Self.state(world, shop)
            let service = DatabaseService(
                docker: world.docker, server: world.server, image: InstanceLifecycleTests.images.database)

            var snapshot = try await Self.snapshot(world, shop, operations)
            let dump = SnapshotOperations.Files(snapshot.id).dump
            try await service.run(["truncate", "--size=200", dump], user: "root")
            await #expect(throws: SnapshotFailure.self) {
                _ = try await operations.restore(snapshot, safetySnapshot: false)
            }
            do {
                _ = try await operations.restore(snapshot, safetySnapshot: false)
            } catch {
                #expect("\(error)".contains("does not match its checksum"), "\(error)")
            }
            #expect(try await InstanceLifecycleTests.reload(world, shop).status == .running)
            #expect(try await Self.state(world, shop).rows == before.rows)

            // A dump that matches its (re-recorded) checksum but cannot be restored: pg_restore fails
            // after the instance stopped; the old database stays and the instance runs again.
            let truncated = try await operations.measure(dump, service)
            snapshot.databaseSha256 = truncated.sha256
            snapshot = try #require(try await world.store.updateSnapshot(snapshot))
            do {
                _ = try await operations.restore(snapshot, safetySnapshot: false)
                Issue.record("a broken dump was restored")
            } catch {
                #expect("\(error)".contains("the old data stays"), "\(error)")
            }
            let after = try await InstanceLifecycleTests.reload(world, shop)
            #expect(after.status == .running, "\(after.statusReason ?? "")")
            #expect(try await Self.state(world, shop) == before)
            let name = try #require(shop.databaseName)
            #expect(try await service.databases().filter { $0.hasPrefix(name) } == [name])

            // A truncated filestore archive is found while the dump restores, before the swap: nothing changes.
            let whole = try await Self.snapshot(world, shop, operations)
            let archive = SnapshotOperations.Files(whole.id).archive
            try await service.run(["truncate", "--size=100", archive], user: "root")
            do {
                _ = try await operations.restore(whole, safetySnapshot: false)
                Issue.record("a truncated archive was restored")
            } catch {
                #expect("\(error)".contains("filestore.tar.gz does not match its checksum"), "\(error)")
            }
            #expect(try await InstanceLifecycleTests.reload(world, shop).status == .running)
            #expect(try await Self.state(world, shop) == before)
            #expect(try await service.databases().filter { $0.hasPrefix(name) } == [name])
        }
    }

    @Test("retention removes the snapshots past the policy, with their files, and never a pinned one")
    func retention() async throws {
        try await InstanceLifecycleTests.withWorld { world in
            let operations = SnapshotOperations(instances: world.operations)
            let shop = try await Self.shop(world)
            var taken: [Snapshot] = []
            for _ in 0..<3 {
                taken.append(try await Self.snapshot(world, shop, operations))
                try await Task.sleep(for: .milliseconds(20))
            }
            _ = try await world.store.setSnapshotPinned(
                organizationId: shop.organizationId, id: taken[0].id, pinned: true)
            let removed = try await operations.applyRetention(
                organizationId: shop.organizationId, environmentId: shop.environmentId,
                policy: SnapshotRetention(keepLast: 1))
            #expect(removed.map(\.id) == [taken[1].id])
            let left = try await world.store.snapshots(
                organizationId: shop.organizationId, environmentId: shop.environmentId)
            #expect(Set(left.map(\.id)) == [taken[0].id, taken[2].id])
            let service = DatabaseService(
                docker: world.docker, server: world.server, image: InstanceLifecycleTests.images.database)
            await #expect(throws: DatabaseServiceError.self) {
                try await service.run(["stat", SnapshotOperations.Files(taken[1].id).directory])
            }
            try await service.run(["stat", SnapshotOperations.Files(taken[0].id).dump])
        }
    }

    @Test("a pinned snapshot is not deleted; unpinned, its files go with its record")
    func pinAndDelete() async throws {
        try await InstanceLifecycleTests.withWorld { world in
            let operations = SnapshotOperations(instances: world.operations)
            let shop = try await Self.shop(world)
            let snapshot = try await Self.snapshot(world, shop, operations)
            let pinned = try #require(
                try await world.store.setSnapshotPinned(
                    organizationId: shop.organizationId, id: snapshot.id, pinned: true))
            await #expect(throws: SlipwayError.self) { try await operations.delete(pinned) }
            await #expect(throws: SlipwayError.self) {
                _ = try await world.store.deleteSnapshot(organizationId: shop.organizationId, id: snapshot.id)
            }
            let unpinned = try #require(
                try await world.store.setSnapshotPinned(
                    organizationId: shop.organizationId, id: snapshot.id, pinned: false))
            try await operations.delete(unpinned)
            #expect(try await world.store.snapshot(organizationId: shop.organizationId, id: snapshot.id) == nil)
            let service = DatabaseService(
                docker: world.docker, server: world.server, image: InstanceLifecycleTests.images.database)
            await #expect(throws: DatabaseServiceError.self) {
                try await service.run(["stat", SnapshotOperations.Files(snapshot.id).directory])
            }
        }
    }
}
