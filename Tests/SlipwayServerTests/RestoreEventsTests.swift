import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SlipwayCore
import SlipwayServer
import SlipwayTesting
import Testing

/// A restore followed over Server-Sent Events on a live port, with a real HTTP client: the test writes
/// the record as the `snapshot.restore` job does and reads the events as they come.
@Suite("Restore events")
struct RestoreEventsTests {
    /// One event as it came off the wire; `id` only when the event itself carried one.
    struct Event {
        var id: String?
        var type: String?
        var data: JSONValue?

        subscript(key: String) -> JSONValue? { data?[key] }
    }

    /// An open `text/event-stream`, read an event at a time.
    struct EventStream {
        var status: Int
        var contentType: String?
        var cacheControl: String?
        var chunks: HTTPClientResponse.Body.AsyncIterator
        var text = ""

        /// The next event, skipping comments; nil when the server ended the stream.
        mutating func next() async throws -> Event? {
            while true {
                if let end = text.range(of: "\n\n") {
                    let frame = text[..<end.lowerBound]
                    text = String(text[end.upperBound...])
                    var event = Event()
                    var data: [Substring] = []
                    for line in frame.split(separator: "\n") {
                        if line.hasPrefix("id: ") { event.id = String(line.dropFirst(4)) }
                        if line.hasPrefix("event: ") { event.type = String(line.dropFirst(7)) }
                        if line.hasPrefix("data: ") { data.append(line.dropFirst(6)) }
                    }
                    if data.isEmpty { continue }
                    event.data = try JSONDecoder().decode(JSONValue.self, from: Data(data.joined(separator: "\n").utf8))
                    return event
                }
                guard let chunk = try await chunks.next() else { return nil }
                text += String(buffer: chunk)
            }
        }
    }

    static func open(port: Int, _ path: String, token: String, lastEventId: String? = nil) async throws
        -> EventStream
    {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: "text/event-stream")
        if let lastEventId { request.headers.add(name: "Last-Event-ID", value: lastEventId) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        return EventStream(
            status: Int(response.status.code), contentType: response.headers.first(name: "Content-Type"),
            cacheControl: response.headers.first(name: "Cache-Control"), chunks: response.body.makeAsyncIterator())
    }

    /// A running restore of a completed snapshot of a production instance, as the job leaves it when its
    /// first step has begun.
    static func restore(_ client: any TestClientProtocol, _ plane: TestControlPlane) async throws -> (
        restore: Restore, world: SnapshotAPITests.World
    ) {
        let world = try await SnapshotAPITests.world(client, plane)
        let web = try await SnapshotAPITests.instance(
            client, plane, world.production, name: "web", serverId: world.serverId)
        let snapshot = try await SnapshotAPITests.snapshot(plane, environmentId: world.production, instanceId: web)
        let restore = Restore(
            organizationId: plane.organization.id, environmentId: world.production, snapshotId: snapshot.id,
            instanceId: web, status: .running,
            steps: [.init(name: "check the snapshot's checksums", status: .running, startedAt: Date())])
        try await plane.store.createRestore(restore)
        return (restore, world)
    }

    @Test(
        "the stream replays the steps, follows each change the job writes, and ends after the final restore event",
        .timeLimit(.minutes(1)))
    func follow() async throws {
        try await TestControlPlane.with { plane in
            try await plane.test(.live) { client in
                let port = try #require(client.port)
                var (restore, world) = try await Self.restore(client, plane)
                let path = "/api/environments/\(world.production)/restores/\(restore.id)/events"
                var stream = try await Self.open(port: port, path, token: plane.ownerToken)
                #expect(stream.status == 200)
                #expect(stream.contentType == "text/event-stream" && stream.cacheControl == "no-cache")

                let replayed = try #require(try await stream.next())
                #expect(replayed.type == "step" && replayed.id == "0")
                #expect(replayed["name"]?.string == "check the snapshot's checksums")
                #expect(replayed["status"]?.string == "running")

                // The job ends a step and begins the next in one write.
                restore.steps[0].status = .completed
                restore.steps[0].completedAt = Date()
                restore.steps.append(.init(name: "stop the instance", status: .running, startedAt: Date()))
                try await plane.store.updateRestore(restore)
                let ended = try #require(try await stream.next())
                #expect(ended.id == "0" && ended["status"]?.string == "completed", "\(ended)")
                #expect(ended["completedAt"]?.string != nil)
                let begun = try #require(try await stream.next())
                #expect(begun.id == "1" && begun["name"]?.string == "stop the instance")
                #expect(begun["status"]?.string == "running")

                restore.steps[1].output = "stopping web"
                try await plane.store.updateRestore(restore)
                let output = try #require(try await stream.next())
                #expect(output.id == "1" && output["output"]?.string == "stopping web", "\(output)")

                // It fails: the running step and the record in one write, as the job's record does.
                restore.steps[1].status = .failed
                restore.steps[1].output = "docker stop timed out"
                restore.steps[1].completedAt = Date()
                restore.status = .failed
                restore.statusReason = "the instance did not stop: docker stop timed out"
                restore.completedAt = Date()
                try await plane.store.updateRestore(restore)
                let failed = try #require(try await stream.next())
                #expect(failed.type == "step" && failed.id == "1" && failed["status"]?.string == "failed")
                #expect(failed["output"]?.string == "docker stop timed out")
                let final = try #require(try await stream.next())
                #expect(final.type == "restore" && final.id == nil)
                #expect(final["id"]?.string == restore.id && final["status"]?.string == "failed")
                #expect(final["statusReason"]?.string == restore.statusReason)
                if case .array(let steps)? = final["steps"] {
                    #expect(steps.count == 2)
                } else {
                    Issue.record("\(final)")
                }
                let after = try await stream.next()
                #expect(after == nil, "the stream ends after the restore event: \(String(describing: after))")

                // An ended restore replays at once and ends; Last-Event-ID skips the steps seen before it.
                var replay = try await Self.open(port: port, path, token: plane.ownerToken)
                var all: [String] = []
                while let event = try await replay.next() { all.append("\(event.type ?? "") \(event.id ?? "-")") }
                #expect(all == ["step 0", "step 1", "restore -"])
                var resumed = try await Self.open(port: port, path, token: plane.ownerToken, lastEventId: "1")
                var rest: [String] = []
                while let event = try await resumed.next() { rest.append("\(event.type ?? "") \(event.id ?? "-")") }
                #expect(rest == ["step 1", "restore -"])
            }
        }
    }

    @Test("another organization's, another environment's and an unknown restore answer 404 at once")
    func notFound() async throws {
        try await TestControlPlane.with { plane in
            let outsider = try await plane.makeTenant(slug: "outsider")
            try await plane.test(.live) { client in
                let (restore, world) = try await Self.restore(client, plane)
                let events = "/restores/\(restore.id)/events"
                for (path, token) in [
                    ("/api/environments/\(world.production)\(events)", outsider.token),
                    ("/api/environments/\(world.staging)\(events)", plane.ownerToken),
                    ("/api/environments/\(world.production)/restores/rst_nope/events", plane.ownerToken),
                ] {
                    let reply = try await send(client, .get, path, token: token)
                    #expect(reply.status == 404 && reply.errorCode == "not_found", "\(path): \(reply.text)")
                }

                let document = try await send(client, .get, "/api/openapi.json")
                let operation = document["paths"]?["/api/environments/{environmentId}/restores/{restoreId}/events"]?[
                    "get"]
                #expect(operation?["responses"]?["200"]?["content"]?["text/event-stream"] != nil, "\(document.text)")
                #expect(operation?["responses"]?["404"] != nil)
            }
        }
    }

    @Test("a graceful shutdown ends an open stream at once instead of waiting for the restore", .timeLimit(.minutes(1)))
    func shutdown() async throws {
        try await TestControlPlane.with { plane in
            let (opened, open) = AsyncStream.makeStream(of: (port: Int, path: String).self)
            let (release, stop) = AsyncStream.makeStream(of: Void.self)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await plane.test(.live) { client in
                        let (restore, world) = try await Self.restore(client, plane)
                        open.yield(
                            (
                                try #require(client.port),
                                "/api/environments/\(world.production)/restores/\(restore.id)/events"
                            ))
                        for await _ in release {}
                    }
                }
                var servers = opened.makeAsyncIterator()
                let server = try #require(await servers.next())
                var stream = try await Self.open(port: server.port, server.path, token: plane.ownerToken)
                #expect(try await stream.next()?.id == "0")
                let asked = ContinuousClock.now
                stop.finish()  // the server shuts down gracefully
                #expect(try await stream.next() == nil, "the server ends the stream")
                #expect(asked.duration(to: .now) < .seconds(5), "not at the next keep-alive, nor at the time limit")
                try await group.waitForAll()
            }
        }
    }

    @Test(
        "a body keeps the connection alive between events, ends at its time limit, and a failed write cancels the events"
    )
    func keepAliveLimitAndDisconnect() async throws {
        let events = Silence(first: ServerSentEvent(id: "7", event: "step", data: "{\"a\":1}\n{\"b\":2}"))
        let kept = Recorder()
        let started = ContinuousClock.now
        try await ServerSentEvent.responseBody(events, keepAlive: .milliseconds(30), limit: .milliseconds(400))
            .write(RecordingWriter(recorder: kept))
        #expect(started.duration(to: .now) < .seconds(5), "the limit ends a stream whose events never end")
        let written = await kept.text
        #expect(written.hasPrefix("id: 7\nevent: step\ndata: {\"a\":1}\ndata: {\"b\":2}\n\n"), "\(written)")
        #expect(written.contains(": keep-alive\n\n"))
        #expect(await kept.finished)
        #expect(await events.probe.cancelled, "the events were cancelled when the limit ended the stream")

        // The client went away: the write after the first event fails.
        let silent = Silence(first: ServerSentEvent(data: "x"))
        let gone = Recorder(failAfter: 1)
        await #expect(throws: RecordingWriter.Gone.self) {
            try await ServerSentEvent.responseBody(silent, keepAlive: .milliseconds(30))
                .write(RecordingWriter(recorder: gone))
        }
        #expect(await silent.probe.cancelled, "the events stop when the client is gone")
        #expect(await gone.finished == false)
    }
}

extension RestoreEventsTests {
    /// Notes whether the events were cancelled.
    actor Probe {
        var cancelled = false
        func cancel() { cancelled = true }
    }

    /// One event, then nothing until cancelled.
    struct Silence: AsyncSequence, Sendable {
        typealias Element = ServerSentEvent
        let first: ServerSentEvent
        let probe = Probe()

        struct AsyncIterator: AsyncIteratorProtocol {
            var first: ServerSentEvent?
            let probe: Probe

            mutating func next() async throws -> ServerSentEvent? {
                if let event = first {
                    first = nil
                    return event
                }
                do {
                    try await Task.sleep(for: .seconds(3600))
                } catch {
                    await probe.cancel()
                    throw error
                }
                return nil
            }
        }

        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(first: first, probe: probe) }
    }

    /// What a response body wrote; `failAfter` writes, the next one fails as on a closed connection.
    actor Recorder {
        var text = ""
        var finished = false
        var writes = 0
        let failAfter: Int?

        init(failAfter: Int? = nil) { self.failAfter = failAfter }

        func write(_ buffer: ByteBuffer) throws {
            if let failAfter, writes >= failAfter { throw RecordingWriter.Gone() }
            writes += 1
            text += String(buffer: buffer)
        }

        func finish() { finished = true }
    }

    struct RecordingWriter: ResponseBodyWriter {
        struct Gone: Error {}
        let recorder: Recorder

        mutating func write(_ buffer: ByteBuffer) async throws { try await recorder.write(buffer) }

        consuming func finish(_ trailingHeaders: HTTPFields?) async throws { await recorder.finish() }
    }
}
