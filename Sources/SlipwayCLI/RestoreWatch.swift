import ArgumentParser
import Foundation
import SlipwayCore

/// Watches a restore, by polling the API: prints each step as it begins and ends, then how the restore
/// ended.
struct RestoreWatch: Sendable {
    var session: Session
    var restore: Restore
    var timeout: Int
    var interval: Duration = .milliseconds(500)

    var path: String { APIClient.path("environments", restore.environmentId, "restores", restore.id) }

    /// Polls until the restore is `completed` or `failed`; throws a `timeout` error after `timeout` seconds.
    func wait() async throws -> APIClient.Reply<Restore> {
        let deadline = ContinuousClock.now + .seconds(timeout)
        var shown: [Int: Step.Status] = [:]
        while true {
            let reply = try await session.client.get(path, as: Restore.self)
            if !session.json {
                for (index, step) in reply.value.steps.enumerated() where shown[index] != step.status {
                    if step.status == .running || shown[index] == nil {
                        session.print("\(Sanitized.line(step.name))...")
                    }
                    if step.status != .running {
                        let output =
                            step.output.split(separator: "\n").last.map { ": " + Sanitized.line(String($0)) } ?? ""
                        session.print("\(Sanitized.line(step.name)) \(step.status.rawValue)\(output)")
                    }
                    shown[index] = step.status
                }
            }
            let status = reply.value.status
            if status == .completed || status == .failed { return reply }
            guard ContinuousClock.now < deadline else {
                throw CLIError(
                    code: "timeout", message: "restore \(restore.id) is still \(status.rawValue) after \(timeout) s",
                    hint: "it goes on without you: watch it with `slipway snapshot restores --environment "
                        + "\(restore.environmentId) \(restore.id)`, or wait longer with --timeout")
            }
            try await Task.sleep(for: interval)
        }
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
