import ArgumentParser
import Foundation
import SlipwayCore

/// Watches a restore: follows its event stream (polls the API instead when the server has none), prints
/// each step as it begins and ends, then how the restore ended.
struct RestoreWatch: Sendable {
    var session: Session
    var restore: Restore
    var timeout: Int
    var interval: Duration = .milliseconds(500)

    var path: String { APIClient.path("environments", restore.environmentId, "restores", restore.id) }

    /// How following the stream ended.
    private enum Followed: Sendable {
        case ended(APIClient.Reply<Restore>)
        /// The server has no event stream for it; the steps printed so far.
        case noStream(StepLog)
        case timedOut
    }

    /// Waits until the restore is `completed` or `failed`; throws a `timeout` error after `timeout` seconds.
    func wait() async throws -> APIClient.Reply<Restore> {
        let deadline = ContinuousClock.now + .seconds(timeout)
        let followed = try await withThrowingTaskGroup(of: Followed.self) { group in
            group.addTask { try await follow() }
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
        case .noStream(let log):
            return try await poll(until: deadline, log: log)
        case .timedOut:
            let reply = try await session.client.get(path, as: Restore.self)
            if Self.hasEnded(reply.value) { return reply }
            throw timedOut(reply.value.status)
        }
    }

    /// Follows the restore's events until its final `restore` event, resuming after the last event seen
    /// when the server ends the stream early (a restart, or its time limit).
    private func follow() async throws -> Followed {
        var log = StepLog()
        var lastEventId: String?
        while true {
            var final: APIClient.Reply<Restore>?
            let found = try await session.client.follow(path + "/events", lastEventId: lastEventId) { event in
                lastEventId = event.id ?? lastEventId
                let data = Data(event.data.utf8)
                switch event.type {
                case "step":
                    guard let index = event.id.flatMap({ Int($0) }) else { return true }
                    log.show(try decode(Restore.Progress.self, data), at: index, in: session)
                case "restore":
                    final = APIClient.Reply(value: try decode(Restore.self, data), body: data)
                    return false
                default:
                    break
                }
                return true
            }
            if let final { return .ended(final) }
            guard found else { return .noStream(log) }
            try await Task.sleep(for: interval)
        }
    }

    /// Polls until the restore has ended: for a server without the event stream.
    private func poll(until deadline: ContinuousClock.Instant, log: StepLog) async throws -> APIClient.Reply<Restore> {
        var log = log
        while true {
            let reply = try await session.client.get(path, as: Restore.self)
            for (index, step) in reply.value.steps.enumerated() { log.show(step, at: index, in: session) }
            if Self.hasEnded(reply.value) { return reply }
            guard ContinuousClock.now < deadline else { throw timedOut(reply.value.status) }
            try await Task.sleep(for: interval)
        }
    }

    private func decode<Value: Decodable>(_ type: Value.Type, _ data: Data) throws -> Value {
        do {
            return try JSONCoding.decoder().decode(type, from: data)
        } catch {
            throw CLIError.unexpectedReply(
                path: path + "/events", baseURL: session.client.baseURL, reason: "an event is not a \(type): \(error)")
        }
    }

    private func timedOut(_ status: Restore.Status) -> CLIError {
        CLIError(
            code: "timeout", message: "restore \(restore.id) is still \(status.rawValue) after \(timeout) s",
            hint: "it goes on without you: watch it with `slipway snapshot restores --environment "
                + "\(restore.environmentId) \(restore.id)`, or wait longer with --timeout")
    }

    static func hasEnded(_ restore: Restore) -> Bool {
        restore.status == .completed || restore.status == .failed
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
