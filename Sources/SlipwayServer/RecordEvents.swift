import Foundation
import SlipwayCore

/// A stored record whose progress is a list of steps, followed over Server-Sent Events until it ends.
protocol FollowedRecord: Encodable, Sendable {
    associatedtype Progress: Encodable & Equatable & Sendable
    /// The type of the final event, which carries the whole record.
    static var finalEvent: String { get }
    var steps: [Progress] { get }
    var hasEnded: Bool { get }
}

/// A record's progress as Server-Sent Events: each step as it stands (a `step` event with the step's index
/// as its id), then each step added or changed as the job writes it, and once the record has ended an event
/// of type `Record.finalEvent` with the whole record, which ends the sequence. It follows the stored record
/// (read again every `interval`), not an in-process bus, so it follows work that another control plane runs.
struct RecordEvents<Record: FollowedRecord>: AsyncSequence, Sendable {
    typealias Element = ServerSentEvent
    typealias Failure = any Error

    let record: Record
    /// The record as stored now; nil once it is gone (deleted while followed: nothing more will happen to it).
    let reload: @Sendable () async throws -> Record?
    /// How many of its first steps the client has already seen as they are now. A client that saw step N
    /// (`Last-Event-ID: N`) saw every step before it end: a job ends a step before it begins the next.
    var seen = 0
    var interval: Duration = .milliseconds(300)

    func makeAsyncIterator() -> Iterator {
        Iterator(events: self, sent: Array(record.steps.prefix(Swift.max(seen, 0))), pending: record)
    }

    struct Iterator: AsyncIteratorProtocol {
        let events: RecordEvents
        /// The steps as the client has them.
        var sent: [Record.Progress]
        /// The record to compare next: the one the stream began with, then none until the store is read.
        var pending: Record?
        var queued: [ServerSentEvent] = []
        var ended = false

        mutating func next() async throws -> ServerSentEvent? {
            while queued.isEmpty {
                if ended { return nil }
                let record: Record
                if let pending {
                    record = pending
                    self.pending = nil
                } else {
                    try await Task.sleep(for: events.interval)
                    guard let stored = try await events.reload() else { return nil }
                    record = stored
                }
                queued = try RecordEvents.changes(from: sent, to: record)
                sent = record.steps
                ended = record.hasEnded
            }
            return queued.removeFirst()
        }
    }

    /// The events that bring a client that holds `sent` up to `record`: a `step` event for each step added
    /// or changed, then, once the record has ended, the final event with the whole record.
    static func changes(from sent: [Record.Progress], to record: Record) throws -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for (index, step) in record.steps.enumerated() where index >= sent.count || sent[index] != step {
            events.append(try ServerSentEvent(id: String(index), event: "step", json: step))
        }
        if record.hasEnded { events.append(try ServerSentEvent(event: Record.finalEvent, json: record)) }
        return events
    }
}
