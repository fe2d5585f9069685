import ArgumentParser
import Foundation
import SlipwayCore

/// Watches an instance while a job works on it (provision, start, stop, restart, remove), by polling
/// the API, and reports how it ended: the status, its reason and the last lines the container wrote.
struct InstanceWatch: Sendable {
    /// How the watch ended.
    enum Outcome: Sendable {
        /// The job has ended (or none was named) and the instance is in a lasting status.
        case settled(APIClient.Reply<Instance>, job: Job?)
        /// The instance is gone: its removal completed.
        case removed
    }

    /// Statuses a job leaves behind; the watch goes on while the instance is in one.
    static let transient: Set<Instance.Status> = [.creating, .restarting, .removing]

    var session: Session
    var instanceId: String
    var timeout: Int
    var interval: Duration = .milliseconds(500)

    /// Polls until `jobId` (when given) has ended and the instance's status is no longer transient, or
    /// the instance is gone; throws a `timeout` error after `timeout` seconds.
    func wait(forJob jobId: String?) async throws -> Outcome {
        let deadline = ContinuousClock.now + .seconds(timeout)
        var lastStatus: Instance.Status?
        while true {
            var job: Job?
            if let jobId {
                do {
                    let jobs = try await session.client.get(
                        APIClient.path("instances", instanceId, "jobs"), as: ItemList<Job>.self)
                    job = jobs.value.items.first { $0.id == jobId }
                } catch let error as CLIError where error.status == 404 {
                    return .removed
                }
            }
            let reply: APIClient.Reply<Instance>
            do {
                reply = try await session.client.get(APIClient.path("instances", instanceId), as: Instance.self)
            } catch let error as CLIError where error.status == 404 {
                return .removed
            }
            let status = reply.value.status
            let jobEnded = job.map { [.completed, .failed, .cancelled].contains($0.status) } ?? true
            if jobEnded, !Self.transient.contains(status) { return .settled(reply, job: job) }
            if !session.json, status != lastStatus {
                session.note("instance \(Sanitized.line(reply.value.name)) is \(status.rawValue)...")
            }
            lastStatus = status
            guard ContinuousClock.now < deadline else {
                throw CLIError(
                    code: "timeout",
                    message: "instance \(instanceId) is still \(status.rawValue)"
                        + (job.map { " (job \($0.id) \($0.status.rawValue))" } ?? "") + " after \(timeout) s",
                    hint: "the work goes on without you: watch it with `slipway instance show \(instanceId)`, "
                        + "or wait longer with --timeout")
            }
            try await Task.sleep(for: interval)
        }
    }

    /// Prints how the watch ended; throws exit code 1 when the instance or its job failed.
    func report(_ outcome: Outcome) throws {
        switch outcome {
        case .removed:
            if session.json {
                struct Removed: Encodable {
                    var id: String
                    var removed = true
                }
                return session.printJSON(try JSONCoding.encoder().encode(Removed(id: instanceId)))
            }
            session.print("Removed instance \(instanceId).")
        case .settled(let reply, let job):
            let instance = reply.value
            if session.json {
                session.printJSON(reply.body)
            } else {
                session.print(
                    "instance \(Sanitized.line(instance.name)) is \(instance.status.rawValue)"
                        + (instance.statusReason.map { ": " + Sanitized.line($0) } ?? ""))
                if let job, job.status != .completed {
                    session.print(
                        "job \(job.id) (\(job.kind.rawValue)) \(job.status.rawValue)"
                            + (job.error.map { ": " + Sanitized.line($0) } ?? ""))
                }
                if !instance.lastLogLines.isEmpty {
                    session.print("last log lines:")
                    instance.lastLogLines.forEach { session.print("  " + Sanitized.line($0)) }
                }
            }
            if instance.status == .failed || job.map({ [.failed, .cancelled].contains($0.status) }) == true {
                throw ExitCode(1)
            }
        }
    }
}
