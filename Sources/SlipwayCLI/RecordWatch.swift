import Foundation

/// A record the CLI can follow until it has ended: its steps, and the type of the final event of its stream,
/// which carries the whole record.
protocol WatchedRecord: Decodable, Sendable {
    associatedtype Progress: Decodable & Sendable
    static var finalEvent: String { get }
    var steps: [Progress] { get }
    var hasEnded: Bool { get }
}

/// Follows a record's Server-Sent Events at `path/events` until its final event, resuming after the last
/// event seen when the server ends the stream early (a restart, or its time limit); polls `path` instead
/// when the server has no stream (404: an older server). It hands each step to `show` as it comes, in order,
/// a step possibly more than once: `show` prints only what changed.
struct RecordWatch<Record: WatchedRecord>: Sendable {
    var client: APIClient
    /// The record's path in the API.
    var path: String
    var timeout: Int
    var interval: Duration = .milliseconds(500)

    /// How following the stream ended.
    private enum Followed: Sendable {
        case ended(APIClient.Reply<Record>)
        case noStream
        case timedOut
    }

    /// Waits until the record has ended; throws `timedOut(record)` after `timeout` seconds.
    func wait(
        show: @escaping @Sendable (Int, Record.Progress) -> Void, timedOut: (Record) -> any Error
    ) async throws -> APIClient.Reply<Record> {
        let deadline = ContinuousClock.now + .seconds(timeout)
        let followed = try await withThrowingTaskGroup(of: Followed.self) { group in
            group.addTask { try await follow(show: show) }
            group.addTask {
                try await Task.sleep(until: deadline)
                return .timedOut
            }
            defer { group.cancelAll() }
            return try await group.next() ?? .timedOut
        }
        switch followed {
        case .ended(let reply):
            return reply
        case .noStream:
            return try await poll(until: deadline, show: show, timedOut: timedOut)
        case .timedOut:
            let reply = try await client.get(path, as: Record.self)
            if reply.value.hasEnded { return reply }
            throw timedOut(reply.value)
        }
    }

    private func follow(show: @Sendable (Int, Record.Progress) -> Void) async throws -> Followed {
        var lastEventId: String?
        while true {
            var final: APIClient.Reply<Record>?
            let found = try await client.follow(path + "/events", lastEventId: lastEventId) { event in
                lastEventId = event.id ?? lastEventId
                let data = Data(event.data.utf8)
                switch event.type {
                case "step":
                    guard let index = event.id.flatMap({ Int($0) }) else { return true }
                    show(index, try decode(Record.Progress.self, data))
                case Record.finalEvent:
                    final = APIClient.Reply(value: try decode(Record.self, data), body: data)
                    return false
                default:
                    break
                }
                return true
            }
            if let final { return .ended(final) }
            guard found else { return .noStream }
            try await Task.sleep(for: interval)
        }
    }

    /// Polls until the record has ended: for a server without the event stream.
    private func poll(
        until deadline: ContinuousClock.Instant, show: (Int, Record.Progress) -> Void,
        timedOut: (Record) -> any Error
    ) async throws -> APIClient.Reply<Record> {
        while true {
            let reply = try await client.get(path, as: Record.self)
            for (index, step) in reply.value.steps.enumerated() { show(index, step) }
            if reply.value.hasEnded { return reply }
            guard ContinuousClock.now < deadline else { throw timedOut(reply.value) }
            try await Task.sleep(for: interval)
        }
    }

    private func decode<Value: Decodable>(_ type: Value.Type, _ data: Data) throws -> Value {
        do {
            return try JSONCoding.decoder().decode(type, from: data)
        } catch {
            throw CLIError.unexpectedReply(
                path: path + "/events", baseURL: client.baseURL, reason: "an event is not a \(type): \(error)")
        }
    }
}
