import ArgumentParser
import Foundation
import SlipwayCore
import Synchronization

extension Restore: WatchedRecord {
    static let finalEvent = "restore"
    var hasEnded: Bool { status == .completed || status == .failed }
}

/// Watches a restore: follows its event stream (polls the API instead when the server has none), prints
/// each step as it begins and ends, then how the restore ended.
struct RestoreWatch: Sendable {
    var session: Session
    var restore: Restore
    var timeout: Int
    var interval: Duration = .milliseconds(500)

    var path: String { APIClient.path("environments", restore.environmentId, "restores", restore.id) }

    /// Waits until the restore is `completed` or `failed`; throws a `timeout` error after `timeout` seconds.
    func wait() async throws -> APIClient.Reply<Restore> {
        let log = Mutex(StepLog())
        let session = session
        return try await RecordWatch<Restore>(client: session.client, path: path, timeout: timeout, interval: interval)
            .wait(
                show: { index, step in log.withLock { $0.show(step, at: index, in: session) } },
                timedOut: { timedOut($0.status) })
    }

    private func timedOut(_ status: Restore.Status) -> CLIError {
        CLIError(
            code: "timeout", message: "restore \(restore.id) is still \(status.rawValue) after \(timeout) s",
            hint: "it goes on without you: watch it with `slipway snapshot restores --environment "
                + "\(restore.environmentId) \(restore.id)`, or wait longer with --timeout")
    }

    /// Prints how the restore ended; throws exit code 1 when it failed.
    func report(_ reply: APIClient.Reply<Restore>) throws {
        let restore = reply.value
        if session.json {
            session.printJSON(reply.body)
        } else {
            var line = "restore \(restore.id) of snapshot \(restore.snapshotId) into instance \(restore.instanceId) "
            line += restore.status.rawValue
            if let reason = restore.statusReason { line += ": " + Sanitized.line(reason) }
            session.print(line)
            if let safety = restore.safetySnapshotId {
                session.print(
                    "safety snapshot: \(safety) (what the instance held before; restore it to undo this)")
            }
        }
        if restore.status == .failed { throw ExitCode(1) }
    }
}

extension RestoreWatch {
    /// The steps printed so far, so each step's beginning and end is printed once, however often it is seen.
    struct StepLog: Sendable {
        private var shown: [Int: Step.Status] = [:]

        /// Prints `step` if it began or ended since it was last seen: its name when it begins; its status,
        /// how long it took and its last line of output when it ends, and all of its output when it failed.
        mutating func show(_ step: Restore.Progress, at index: Int, in session: Session) {
            guard !session.json, shown[index] != step.status else { return }
            let name = Sanitized.line(step.name)
            if step.status == .running || shown[index] == nil { session.print("\(name)...") }
            shown[index] = step.status
            guard step.status != .running else { return }
            let lines = step.output.split(whereSeparator: \.isNewline).map { Sanitized.line(String($0)) }
            var line = "\(name) \(step.status.rawValue)"
            if let started = step.startedAt, let completed = step.completedAt {
                line += " (\(Self.duration(completed.timeIntervalSince(started))))"
            }
            if let last = lines.last { line += ": " + last }
            session.print(line)
            if step.status == .failed, lines.count > 1 {
                for output in lines { session.print("  " + output) }
            }
        }

        /// `4 s`, `2 min 05 s`.
        static func duration(_ seconds: TimeInterval) -> String {
            let whole = max(Int(seconds.rounded()), 0)
            guard whole >= 60 else { return "\(whole) s" }
            let remainder = whole % 60
            return "\(whole / 60) min \(remainder < 10 ? "0" : "")\(remainder) s"
        }
    }
}
