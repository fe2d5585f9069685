import ArgumentParser
import Foundation
import SlipwayCore

/// Watches snapshots being taken, by polling the API, and reports how each ended: its size, or why it
/// failed.
struct SnapshotWatch: Sendable {
    var session: Session
    var environmentId: String
    var timeout: Int
    var interval: Duration = .milliseconds(500)

    /// Polls until every snapshot is `completed` or `failed`; throws a `timeout` error after `timeout` seconds.
    func wait(for snapshots: [Snapshot]) async throws -> [Snapshot] {
        let deadline = ContinuousClock.now + .seconds(timeout)
        var current = snapshots
        var announced: [String: Snapshot.Status] = [:]
        while true {
            for (index, snapshot) in current.enumerated() where !Self.ended(snapshot) {
                current[index] = try await SnapshotCommand.explaining(environment: environmentId, id: snapshot.id) {
                    try await session.client.get(
                        SnapshotCommand.path(environmentId, snapshot.id), as: Snapshot.self
                    ).value
                }
            }
            let waiting = current.filter { !Self.ended($0) }
            if waiting.isEmpty { return current }
            for snapshot in waiting where !session.json && announced[snapshot.id] != snapshot.status {
                announced[snapshot.id] = snapshot.status
                session.note(
                    "snapshot \(snapshot.id) of instance \(snapshot.instanceId) is \(snapshot.status.rawValue)...")
            }
            guard ContinuousClock.now < deadline else {
                let states = waiting.map { "\($0.id) \($0.status.rawValue)" }.joined(separator: ", ")
                throw CLIError(
                    code: "timeout", message: "still waiting after \(timeout) s: \(states)",
                    hint: "the snapshots go on without you: watch them with "
                        + "`slipway snapshot list --environment \(environmentId)`, or wait longer with --timeout")
            }
            try await Task.sleep(for: interval)
        }
    }

    static func ended(_ snapshot: Snapshot) -> Bool {
        snapshot.status == .completed || snapshot.status == .failed
    }

    /// Prints how each snapshot ended; throws exit code 1 when one failed.
    func report(_ snapshots: [Snapshot]) throws {
        if session.json {
            struct Items: Encodable { var items: [Snapshot] }
            session.printJSON(try JSONCoding.encoder().encode(Items(items: snapshots)))
        } else {
            for snapshot in snapshots {
                var line = "snapshot \(snapshot.id) of instance \(snapshot.instanceId) \(snapshot.status.rawValue)"
                if snapshot.status == .completed {
                    line += ": " + snapshot.sizes
                } else if let reason = snapshot.statusReason {
                    line += ": " + Sanitized.line(reason)
                }
                session.print(line)
            }
        }
        if snapshots.contains(where: { $0.status == .failed }) { throw ExitCode(1) }
    }
}
