import Foundation
import Hummingbird
import HummingbirdTesting
import SlipwayCore
import SlipwayTesting
import Testing

@testable import SlipwayCLI

/// `slipway snapshot restore --wait` following the restore's event stream on a live control plane, and
/// polling a server that has none.
@Suite("restore watch")
struct RestoreWatchTests {
    @Test("--wait follows the event stream: each step with its duration, the failed step's output, exit 1")
    func followsTheStream() async throws {
        try await ServerCommandTests.withCLI { plane, cli, _ in
            let fixture = try await InstanceCommandTests.fixture(plane)
            let env = fixture.environmentId
            let instance = try await InstanceCommandTests.create(cli, fixture)
            let snapshot = try await SnapshotCommandTests.snapshot(plane, fixture, instanceId: instance.id)
            try await SnapshotCommandTests.finishNext(plane, .instanceProvision)
            let store = plane.store
            let waited = try await SnapshotCommandTests.playingRunner(
                plane, kind: .snapshotRestore, cli: cli,
                ["snapshot", "restore", "--environment", env, snapshot.id, "--yes", "--wait", "--no-safety-snapshot"]
            ) { job in
                var record = try #require(
                    try await store.restore(organizationId: job.organizationId, id: job.subjectId))
                let start = Date()
                record.status = .running
                record.steps = [.init(name: "check the snapshot's checksums", status: .running, startedAt: start)]
                try await store.updateRestore(record)
                try await Task.sleep(for: .milliseconds(400))
                record.steps[0].status = .completed
                record.steps[0].completedAt = start + 2
                record.steps.append(.init(name: "restore the database", status: .running, startedAt: start + 2))
                try await store.updateRestore(record)
                try await Task.sleep(for: .milliseconds(400))
                record.steps[1].status = .failed
                record.steps[1].output = "pg_restore: error: could not connect\npg_restore: \u{1B}[31mgave up\u{1B}[0m"
                record.steps[1].completedAt = start + 65
                record.status = .failed
                record.statusReason = "the restore failed, the old data stays"
                record.completedAt = start + 65
                try await store.updateRestore(record)
                return .failed
            }
            #expect(waited.code == 1, "\(waited.err)")
            let lines = waited.out.split(separator: "\n").map(String.init)
            #expect(
                Array(lines.prefix(6)) == [
                    "check the snapshot's checksums...", "check the snapshot's checksums completed (2 s)",
                    "restore the database...", "restore the database failed (1 min 03 s): pg_restore: ?[31mgave up?[0m",
                    "  pg_restore: error: could not connect", "  pg_restore: ?[31mgave up?[0m",
                ], "\(waited.out)")
            #expect(waited.out.contains("failed: the restore failed, the old data stays"), "\(waited.out)")
            let metrics = plane.backend.metrics.render()
            #expect(
                metrics.contains(
                    #"route="/api/environments/{environmentId}/restores/{restoreId}/events",status="200""#),
                "the CLI followed the event stream: \(metrics)")
        }
    }

    /// What the older server was asked.
    actor Requests {
        var paths: [String] = []
        func add(_ path: String) -> Int {
            paths.append(path)
            return paths.count
        }
    }

    @Test("a server without the event stream (404) is polled instead")
    func pollsAnOlderServer() async throws {
        // Named for what it stands in for: a control plane from before the event stream, which cannot run here.
        let requests = Requests()
        let queued = Restore(
            organizationId: "org_1", environmentId: "env_1", snapshotId: "snp_1", instanceId: "ins_1", status: .queued)
        var ended = queued
        ended.status = .completed
        ended.steps = [
            .init(
                name: "check the snapshot's checksums", status: .completed, startedAt: Date(),
                completedAt: Date() + 3)
        ]
        let router = Router()
        router.middlewares.add(
            RecordingMiddleware<BasicRequestContext> { path in _ = await requests.add(path) })
        router.post("/api/environments/env_1/snapshots/snp_1/restore") { _, _ in
            try Self.json(queued, status: .accepted)
        }
        let done = ended
        router.get("/api/environments/env_1/restores/\(queued.id)") { _, _ in
            let asked = await requests.paths.filter { $0.hasSuffix(queued.id) }.count
            return try Self.json(asked < 2 ? queued : done, status: .ok)
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let cli = InProcessCLI(
                home: directory.path, extra: ["SLIPWAY_URL": "http://127.0.0.1:\(port)", "SLIPWAY_TOKEN": "slw_test"])
            let waited = await cli.run(["snapshot", "restore", "--environment", "env_1", "snp_1", "--yes", "--wait"])
            #expect(waited.code == 0, "\(waited.err)")
            #expect(
                waited.out.hasPrefix(
                    "check the snapshot's checksums...\ncheck the snapshot's checksums completed (3 s)\n"),
                "\(waited.out)")
            #expect(waited.out.contains("into instance ins_1 completed"), "\(waited.out)")
            let paths = await requests.paths
            #expect(paths.contains("/api/environments/env_1/restores/\(queued.id)/events"), "\(paths)")
            #expect(paths.filter { $0.hasSuffix(queued.id) }.count >= 2, "polled until it ended: \(paths)")
        }
    }

    static func json(_ restore: Restore, status: HTTPResponse.Status) throws -> Response {
        let body = String(decoding: try JSONCoding.encoder().encode(restore), as: UTF8.self)
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// Notes each request's path, whether a route answers it or not.
    struct RecordingMiddleware<Context: RequestContext>: RouterMiddleware {
        let record: @Sendable (String) async -> Void

        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
            async throws -> Response
        {
            await record(request.uri.path)
            return try await next(request, context)
        }
    }
}
