import Foundation
import SlipwayCore
import SlipwayStore

/// A restore's progress as Server-Sent Events: each step as it stands (a `step` event with the step's index
/// as its id), then each step added or changed as the `snapshot.restore` job writes it, and once the
/// restore has ended a `restore` event with the whole record, which ends the sequence. It follows the
/// stored record, not an in-process bus, so it follows a restore that another control plane runs.
struct RestoreEvents: AsyncSequence, Sendable {
    typealias Element = ServerSentEvent
    typealias Failure = any Error

    let store: any Store
    let restore: Restore
    /// How many of its first steps the client has already seen as they are now. A client that saw step N
    /// (`Last-Event-ID: N`) saw every step before it end: the job ends a step before it begins the next.
    var seen = 0
    var interval: Duration = .milliseconds(300)

    func makeAsyncIterator() -> Iterator {
        Iterator(events: self, sent: Array(restore.steps.prefix(Swift.max(seen, 0))), pending: restore)
    }

    struct Iterator: AsyncIteratorProtocol {
        let events: RestoreEvents
        /// The steps as the client has them.
        var sent: [Restore.Progress]
        /// The record to compare next: the one the stream began with, then none until the store is read.
        var pending: Restore?
        var queued: [ServerSentEvent] = []
        var ended = false

        mutating func next() async throws -> ServerSentEvent? {
            while queued.isEmpty {
                if ended { return nil }
                let record: Restore
                if let pending {
                    record = pending
                    self.pending = nil
                } else {
                    try await Task.sleep(for: events.interval)
                    let restore = events.restore
                    // Deleted while followed: nothing more will happen to it.
                    guard
                        let stored = try await events.store.restore(
                            organizationId: restore.organizationId, id: restore.id)
                    else { return nil }
                    record = stored
                }
                queued = try RestoreEvents.changes(from: sent, to: record)
                sent = record.steps
                ended = RestoreEvents.hasEnded(record)
            }
            return queued.removeFirst()
        }
    }

    /// The events that bring a client that holds `sent` up to `record`: a `step` event for each step added
    /// or changed, then, once the restore has ended, a `restore` event with the whole record.
    static func changes(from sent: [Restore.Progress], to record: Restore) throws -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for (index, step) in record.steps.enumerated() where index >= sent.count || sent[index] != step {
            events.append(try ServerSentEvent(id: String(index), event: "step", json: step))
        }
        if hasEnded(record) { events.append(try ServerSentEvent(event: "restore", json: record)) }
        return events
    }

    static func hasEnded(_ restore: Restore) -> Bool {
        restore.status == .completed || restore.status == .failed
    }
}
