import Foundation
import SlipwayCore
import SlipwayTesting
import Testing

@testable import SlipwayCLI

/// `slipway snapshot` in-process against a live control plane without a job runner: what is sent, what
/// is printed, what is refused. Where a command waits on a job, the test plays the job runner through the
/// store; taking and restoring for real is the engine's SnapshotTests' business.
@Suite("snapshot commands")
struct SnapshotCommandTests {
    typealias Fixture = InstanceCommandTests.Fixture

    /// A snapshot record of `instanceId` as a `snapshot.create` job leaves it.
    static func snapshot(
        _ plane: TestControlPlane, _ fixture: Fixture, instanceId: String, status: Snapshot.Status = .completed
    ) async throws -> Snapshot {
        var snapshot = Snapshot(
            organizationId: plane.organization.id, environmentId: fixture.environmentId, instanceId: instanceId,
            kind: .manual)
        try await plane.store.createSnapshot(snapshot)
        if status == .completed {
            snapshot.status = .completed
            snapshot.databaseBytes = 3 * 1024 * 1024
            snapshot.databaseSha256 = String(repeating: "d", count: 64)
            snapshot.filestoreBytes = 1024 * 1024
            snapshot.filestoreSha256 = String(repeating: "f", count: 64)
            snapshot.sizeBytes = 4 * 1024 * 1024
            snapshot.completedAt = Date()
            snapshot = try #require(try await plane.store.updateSnapshot(snapshot))
        }
        return snapshot
    }

    /// Runs the CLI while playing the job runner: waits for a job of `kind`, claims it, lets `play` do its
    /// work through the store, and finishes it as `play` answers.
    static func playingRunner(
        _ plane: TestControlPlane, kind: Job.Kind, cli: InProcessCLI, _ arguments: [String],
        play: @escaping @Sendable (Job) async throws -> Job.Status
    ) async throws -> (code: Int32, out: String, err: String) {
        async let result = cli.run(arguments)
        let deadline = ContinuousClock.now + .seconds(20)
        var claimed: Job?
        while claimed == nil, ContinuousClock.now < deadline {
            claimed = try await plane.store.claimJob(kinds: [kind], owner: "test", lease: 60, now: Date())
            if claimed == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        let job = try #require(claimed, "no \(kind.rawValue) job was queued")
        let status = try await play(job)
        _ = try await plane.store.finishJob(id: job.id, owner: "test", status: status, error: nil, at: Date())
        return await result
    }

    /// Claims the next job of `kind` and finishes it, as a runner would that did nothing: jobs on one
    /// instance's key run in order, so what a test waits on comes only after them.
    static func finishNext(_ plane: TestControlPlane, _ kind: Job.Kind) async throws {
        let job = try #require(try await plane.store.claimJob(kinds: [kind], owner: "test", lease: 60, now: Date()))
        _ = try await plane.store.finishJob(id: job.id, owner: "test", status: .completed, error: nil, at: Date())
    }

    @Test("create queues a snapshot per instance; list, show, pin and unpin print it; delete asks for --yes")
    func createListShowPin() async throws {
        try await ServerCommandTests.withCLI { plane, cli, _ in
            let fixture = try await InstanceCommandTests.fixture(plane)
            let env = fixture.environmentId
            let none = await cli.run(["snapshot", "create", "--environment", env])
            #expect(none.code == 1)
            #expect(none.err.contains("no instance") && none.err.contains("slipway instance create"), "\(none.err)")

            let instance = try await InstanceCommandTests.create(cli, fixture)
            let created = await cli.run(["snapshot", "create", "--environment", env])
            try #require(created.code == 0, "\(created.err)")
            #expect(created.err.contains("Queued 1 snapshot"), "\(created.err)")
            let snapshots = try await plane.store.snapshots(organizationId: plane.organization.id, environmentId: env)
            let snapshot = try #require(snapshots.first)
            #expect(snapshots.count == 1 && snapshot.instanceId == instance.id && snapshot.kind == .manual)
            #expect(created.out.contains(snapshot.id) && created.out.contains("pending"), "\(created.out)")
            let jobs = try await plane.store.jobs(organizationId: plane.organization.id, subjectId: snapshot.id)
            #expect(jobs.map(\.kind) == [.snapshotCreate] && jobs.first?.concurrencyKey == "instance:\(instance.id)")

            let unknown = await cli.run(["snapshot", "create", "--env", env, "--instance", "ins_nope"])
            #expect(unknown.code == 1)
            #expect(unknown.err.contains("(field: instanceId)") && unknown.err.contains("--instance"), "\(unknown.err)")

            let list = await cli.run(["snapshot", "list", "--env", env])
            let lines = list.out.split(separator: "\n").map(String.init)
            #expect(lines.first?.hasPrefix("ID") == true && lines.count == 2, "\(list.out)")
            #expect(lines.last?.contains(snapshot.id) == true && lines.last?.contains("pending") == true)

            let done = try await Self.snapshot(plane, fixture, instanceId: instance.id)
            let shown = await cli.run(["snapshot", "show", "--environment", env, done.id])
            #expect(shown.code == 0, "\(shown.err)")
            for text in [
                "completed", "4.0 MiB (database 3.0 MiB, filestore 1.0 MiB)", String(repeating: "d", count: 64),
            ] {
                #expect(shown.out.contains(text), "show should print \(text): \(shown.out)")
            }
            let missing = await cli.run(["snapshot", "show", "--environment", env, "snp_nope"])
            #expect(missing.code == 1)
            #expect(missing.err.contains("slipway snapshot list --environment \(env)"), "\(missing.err)")

            let pinned = await cli.run(["snapshot", "pin", "--environment", env, done.id])
            #expect(pinned.code == 0 && pinned.out.contains("pinned:") && pinned.out.contains("yes"), "\(pinned.out)")
            let unconfirmed = await cli.run(["snapshot", "delete", "--environment", env, done.id])
            #expect(unconfirmed.code == 2 && unconfirmed.err.contains("add --yes"), "\(unconfirmed.err)")
            let refused = await cli.run(["snapshot", "delete", "--environment", env, done.id, "--yes"])
            #expect(refused.code == 1)
            #expect(refused.err.contains("slipway snapshot unpin --environment \(env) \(done.id)"), "\(refused.err)")
            let unpinned = await cli.run(["snapshot", "unpin", "--environment", env, done.id, "--json"])
            #expect(unpinned.code == 0, "\(unpinned.err)")
            #expect(try JSONCoding.decoder().decode(Snapshot.self, from: Data(unpinned.out.utf8)).pinned == false)
        }
    }

    @Test("create --wait reports each snapshot's size, or why it failed with exit 1")
    func createWaits() async throws {
        try await ServerCommandTests.withCLI { plane, cli, _ in
            let fixture = try await InstanceCommandTests.fixture(plane)
            let instance = try await InstanceCommandTests.create(cli, fixture)
            try await Self.finishNext(plane, .instanceProvision)
            let arguments = ["snapshot", "create", "--environment", fixture.environmentId, "--wait"]
            let store = plane.store
            let completed = try await Self.playingRunner(plane, kind: .snapshotCreate, cli: cli, arguments) { job in
                var snapshot = try #require(
                    try await store.snapshot(organizationId: job.organizationId, id: job.subjectId))
                snapshot.status = .completed
                snapshot.databaseBytes = 2048
                snapshot.databaseSha256 = String(repeating: "a", count: 64)
                snapshot.sizeBytes = 2048
                _ = try await store.updateSnapshot(snapshot)
                return .completed
            }
            #expect(completed.code == 0, "\(completed.err)")
            #expect(
                completed.out.contains("of instance \(instance.id) completed: 2.0 KiB (database 2.0 KiB)"),
                "\(completed.out)")

            let failed = try await Self.playingRunner(plane, kind: .snapshotCreate, cli: cli, arguments) { job in
                var snapshot = try #require(
                    try await store.snapshot(organizationId: job.organizationId, id: job.subjectId))
                snapshot.status = .failed
                snapshot.statusReason = "the database dump is empty"
                _ = try await store.updateSnapshot(snapshot)
                return .failed
            }
            #expect(failed.code == 1, "\(failed.err)")
            #expect(failed.out.contains("failed: the database dump is empty"), "\(failed.out)")

            // Nobody takes it: the wait ends at its deadline and says how to go on watching.
            let late = await cli.run(arguments + ["--timeout", "1"])
            #expect(late.code == 1)
            #expect(late.err.contains("pending") && late.err.contains("slipway snapshot list"), "\(late.err)")
        }
    }

    @Test("estimate and delete: no instances, another environment's instance, a server that does not answer")
    func estimate() async throws {
        try await ServerCommandTests.withCLI { plane, cli, _ in
            let fixture = try await InstanceCommandTests.fixture(plane)
            let empty = await cli.run(["snapshot", "estimate", "--environment", fixture.environmentId])
            #expect(empty.code == 0 && empty.out.contains("No instances with a database"), "\(empty.err)")

            // Nothing listens on the server's SSH port.
            let server = Server(
                organizationId: plane.organization.id, name: "web2", host: "127.0.0.1",
                port: try LoopbackSocket.freePort(), user: "deploy", authMethod: .password)
            try await plane.store.createServer(server, encryptedCredential: try plane.backend.secrets.seal("pw"))
            try await InstanceCommandTests.markActive(plane, serverId: server.id)
            let instance = try await InstanceCommandTests.create(
                cli, Fixture(environmentId: fixture.environmentId, serverId: server.id))
            let unreachable = await cli.run([
                "snapshot", "estimate", "--environment", fixture.environmentId, "--instance", instance.id,
            ])
            #expect(unreachable.code == 3, "\(unreachable.err)")
            #expect(unreachable.err.contains("slipway server verify"), "\(unreachable.err)")
            let elsewhere = await cli.run([
                "snapshot", "estimate", "--environment", fixture.environmentId, "--instance", "ins_nope",
            ])
            #expect(elsewhere.code == 1 && elsewhere.err.contains("--instance"), "\(elsewhere.err)")

            // Deleting removes the files on the server first: when it does not answer, the record stays.
            let snapshot = try await Self.snapshot(
                plane, Fixture(environmentId: fixture.environmentId, serverId: server.id), instanceId: instance.id)
            let delete = await cli.run([
                "snapshot", "delete", "--environment", fixture.environmentId, snapshot.id, "--yes",
            ])
            #expect(delete.code == 3 && delete.err.contains("files and record stay"), "\(delete.err)")
            #expect(try await plane.store.snapshot(organizationId: plane.organization.id, id: snapshot.id) != nil)
        }
    }

    @Test("restore asks for --yes, refuses an unfinished snapshot, and --wait prints each step and the outcome")
    func restore() async throws {
        try await ServerCommandTests.withCLI { plane, cli, _ in
            let fixture = try await InstanceCommandTests.fixture(plane)
            let env = fixture.environmentId
            let instance = try await InstanceCommandTests.create(cli, fixture)
            let snapshot = try await Self.snapshot(plane, fixture, instanceId: instance.id)

            let unconfirmed = await cli.run(["snapshot", "restore", "--environment", env, snapshot.id])
            #expect(unconfirmed.code == 2)
            #expect(unconfirmed.err.contains("overwrites the database and filestore"), "\(unconfirmed.err)")
            #expect(unconfirmed.err.contains("safety snapshot") && unconfirmed.err.contains("add --yes"))
            let bare = await cli.run(["snapshot", "restore", "--environment", env, snapshot.id, "--no-safety-snapshot"])
            #expect(bare.code == 2 && bare.err.contains("cannot be undone"), "\(bare.err)")
            #expect(try await plane.store.restores(organizationId: plane.organization.id, environmentId: env).isEmpty)

            let pending = try await Self.snapshot(plane, fixture, instanceId: instance.id, status: .pending)
            let early = await cli.run(["snapshot", "restore", "--environment", env, pending.id, "--yes"])
            #expect(early.code == 1)
            #expect(early.err.contains("only a completed snapshot") && early.err.contains("slipway snapshot show"))

            let queued = await cli.run(["snapshot", "restore", "--environment", env, snapshot.id, "--yes"])
            #expect(queued.code == 0, "\(queued.err)")
            #expect(queued.out.contains("queued") && queued.err.contains("Queued restore"), "\(queued.out)")
            let restore = try #require(
                try await plane.store.restores(organizationId: plane.organization.id, environmentId: env).first)
            #expect(restore.safetySnapshot && restore.instanceId == instance.id)
            let jobs = try await plane.store.jobs(organizationId: plane.organization.id, subjectId: restore.id)
            #expect(jobs.map(\.kind) == [.snapshotRestore] && jobs.first?.concurrencyKey == "instance:\(instance.id)")

            // The instance's jobs run in order: its provisioning and the restore queued above come first.
            try await Self.finishNext(plane, .instanceProvision)
            try await Self.finishNext(plane, .snapshotRestore)
            let store = plane.store
            let safety = Snapshot(
                organizationId: plane.organization.id, environmentId: env, instanceId: instance.id, kind: .manual)
            let waited = try await Self.playingRunner(
                plane, kind: .snapshotRestore, cli: cli,
                ["snapshot", "restore", "--environment", env, snapshot.id, "--yes", "--wait"]
            ) { job in
                var record = try #require(
                    try await store.restore(organizationId: job.organizationId, id: job.subjectId))
                record.status = .running
                record.steps = [.init(name: "check the snapshot's checksums", status: .running, startedAt: Date())]
                try await store.updateRestore(record)
                try await Task.sleep(for: .milliseconds(800))
                record.steps[0].status = .completed
                record.steps.append(.init(name: "swap the restored database in", status: .completed))
                record.status = .completed
                record.safetySnapshotId = safety.id
                record.completedAt = Date()
                try await store.updateRestore(record)
                return .completed
            }
            #expect(waited.code == 0, "\(waited.err)")
            let lines = waited.out.split(separator: "\n").map(String.init)
            #expect(
                Array(lines.prefix(4)) == [
                    "check the snapshot's checksums...", "check the snapshot's checksums completed",
                    "swap the restored database in...", "swap the restored database in completed",
                ], "\(waited.out)")
            #expect(waited.out.contains("into instance \(instance.id) completed"), "\(waited.out)")
            #expect(waited.out.contains("safety snapshot: \(safety.id)"), "\(waited.out)")

            let failed = try await Self.playingRunner(
                plane, kind: .snapshotRestore, cli: cli,
                ["snapshot", "restore", "--environment", env, snapshot.id, "--yes", "--wait", "--no-safety-snapshot"]
            ) { job in
                var record = try #require(
                    try await store.restore(organizationId: job.organizationId, id: job.subjectId))
                #expect(record.safetySnapshot == false)
                record.status = .failed
                record.statusReason = "the restore failed, the old data stays: pg_restore exited 1"
                record.steps = [
                    .init(name: "restore the database into a fresh one", status: .failed, output: "pg_restore exited 1")
                ]
                try await store.updateRestore(record)
                return .failed
            }
            #expect(failed.code == 1, "\(failed.err)")
            #expect(failed.err.contains("warning: no safety snapshot"), "\(failed.err)")
            #expect(failed.out.contains("restore the database into a fresh one failed: pg_restore exited 1"))
            #expect(failed.out.contains("failed: the restore failed, the old data stays"), "\(failed.out)")

            let restores = await cli.run(["snapshot", "restores", "--environment", env])
            #expect(restores.out.split(separator: "\n").count == 4, "a header and three restores: \(restores.out)")
            let one = await cli.run(["snapshot", "restores", "--environment", env, restore.id])
            #expect(one.code == 0 && one.out.contains("taken first"), "\(one.out)")
        }
    }

    @Test func sizesAreForPeople() {
        #expect(Snapshot.bytes(512) == "512 B")
        #expect(Snapshot.bytes(1536) == "1.5 KiB")
        #expect(Snapshot.bytes(5 * 1024 * 1024 * 1024) == "5.0 GiB")
    }
}
