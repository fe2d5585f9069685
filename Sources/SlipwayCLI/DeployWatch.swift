import Foundation
import SlipwayCore
import Synchronization

extension Deployment: WatchedRecord {
    static let finalEvent = "deployment"
}

/// Follows a deployment as it runs (its event stream; polling a server without one): prints each step as it
/// begins (`[4/9] push`), each new line of its output indented, and how it ended with its duration; then
/// how the deployment ended, its commit and duration, and for a failure the failing step's output.
struct DeployWatch: Sendable {
    var session: Session
    var deployment: Deployment
    var timeout: Int

    var path: String { APIClient.path("projects", deployment.projectId, "deployments", deployment.id) }

    /// The most lines of a failed step's output repeated after the summary.
    static let failureLines = 20

    /// Waits until the deployment has ended; throws a `timeout` error after `timeout` seconds.
    func wait() async throws -> APIClient.Reply<Deployment> {
        let printer = Printer(session: session, log: Log(total: deployment.steps.count))
        let reply = try await RecordWatch<Deployment>(client: session.client, path: path, timeout: timeout).wait(
            show: { index, step in printer.show(step, at: index) },
            timedOut: { current in
                CLIError(
                    code: "timeout",
                    message: "deployment \(deployment.id) is still \(current.status.rawValue) after \(timeout) s",
                    hint: "it goes on without you: follow it again with `slipway deploy follow --deployment "
                        + "\(deployment.id)`, or wait longer with --timeout")
            })
        printer.finish(reply.value)
        return reply
    }

    /// Prints how the deployment ended (`--json`: the record); throws exit code 1 unless it completed.
    func report(_ reply: APIClient.Reply<Deployment>) throws {
        let deployment = reply.value
        if session.json {
            session.printJSON(reply.body)
        } else {
            Self.summary(deployment).forEach(session.print)
        }
        if deployment.status != .completed { throw CLIExitCode.failure }
    }

    /// `deployment dep_... completed in 1 min 05 s`, its commit, and for a failure the reason and the
    /// failing step's last lines of output.
    static func summary(_ deployment: Deployment) -> [String] {
        var first = "deployment \(deployment.id) \(deployment.status.rawValue)"
        if let failed = deployment.steps.first(where: { $0.status == .failed }) {
            first += " at \(failed.name.rawValue)"
        }
        if let duration = deployment.duration { first += " in " + RestoreWatch.StepLog.duration(duration) }
        var lines = [first]
        if let rollbackOf = deployment.rollbackOf { lines.append("rollback of: \(rollbackOf)") }
        if let commit = deployment.commitDescription { lines.append("commit: " + commit) }
        if let error = deployment.error, deployment.status != .completed {
            lines.append("reason: " + Sanitized.line(error))
        }
        if let failed = deployment.steps.first(where: { $0.status == .failed }) {
            let output = Log.outputLines(failed.output)
            if !output.isEmpty {
                let shown = output.suffix(failureLines)
                let part = shown.count < output.count ? "last \(shown.count) lines of " : ""
                lines.append("\(part)\(failed.name.rawValue) output:")
                lines += shown.map { "  " + $0 }
            }
        }
        return lines
    }

    /// Prints what the log makes of each step; steps come from the stream's task, one at a time.
    private final class Printer: Sendable {
        let session: Session
        let log: Mutex<Log>

        init(session: Session, log: Log) {
            self.session = session
            self.log = Mutex(log)
        }

        func show(_ step: Step, at index: Int) {
            guard !session.json else { return }
            log.withLock { $0.lines(for: step, at: index) }.forEach(session.print)
        }

        func finish(_ deployment: Deployment) {
            guard !session.json else { return }
            log.withLock { $0.finish(deployment) }.forEach(session.print)
        }
    }
}

extension DeployWatch {
    /// What to print as steps change, each thing once however often a step is seen: a step's beginning,
    /// each new complete line of its output, and its end with its duration. A skipped step is printed when
    /// a later step is reached (or at the end of a completed deployment), so the lines keep the pipeline's order.
    struct Log: Sendable {
        let total: Int
        private var seen: [Int: Step.Status] = [:]
        private var printedLines: [Int: Int] = [:]
        private var skips: [Int: Step.Name] = [:]
        private var skipsShown: Set<Int> = []

        init(total: Int) { self.total = total }

        mutating func lines(for step: Step, at index: Int) -> [String] {
            let before = seen[index]
            seen[index] = step.status
            let label = "[\(index + 1)/\(Swift.max(total, index + 1))] \(step.name.rawValue)"
            switch step.status {
            case .pending:
                return []
            case .skipped:
                skips[index] = step.name
                return []
            case .running, .completed, .failed:
                var lines = skipped(before: index)
                let ended = step.status != .running
                if before != .running, before != step.status { lines.append(label) }
                lines += newOutput(step, at: index, complete: ended)
                if ended, before != step.status {
                    lines.append("\(label) \(step.status.rawValue)" + (step.durationText.map { " (\($0))" } ?? ""))
                }
                return lines
            }
        }

        /// The skipped steps not yet printed; of a completed deployment, the last ones too.
        mutating func finish(_ deployment: Deployment) -> [String] {
            for (index, step) in deployment.steps.enumerated() where step.status == .skipped {
                skips[index] = step.name
            }
            return deployment.status == .completed ? skipped(before: total) : []
        }

        private mutating func skipped(before index: Int) -> [String] {
            let due = skips.keys.filter { $0 < index && !skipsShown.contains($0) }.sorted()
            skipsShown.formUnion(due)
            return due.compactMap { at in
                skips[at].map { "[\(at + 1)/\(Swift.max(total, at + 1))] \($0.rawValue) skipped" }
            }
        }

        /// The lines of `step`'s output not printed yet, indented; while it runs, not its unfinished last line.
        /// Output that shrank was started again (a resumed step): it is printed again from its start.
        private mutating func newOutput(_ step: Step, at index: Int, complete: Bool) -> [String] {
            var lines = Self.outputLines(step.output)
            if !complete, !step.output.hasSuffix("\n"), !lines.isEmpty { lines.removeLast() }
            var printed = printedLines[index] ?? 0
            if lines.count < printed { printed = 0 }
            printedLines[index] = lines.count
            return lines.dropFirst(printed).map { "  " + $0 }
        }

        /// `output`'s lines, made safe for a terminal.
        static func outputLines(_ output: String) -> [String] {
            var lines = output.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map {
                Sanitized.line(String($0))
            }
            while lines.last?.isEmpty == true { lines.removeLast() }
            return lines
        }
    }
}

extension Step {
    /// How long it took, `3 s`, once it has ended.
    var durationText: String? {
        if let durationMs { return RestoreWatch.StepLog.duration(Double(durationMs) / 1000) }
        guard let startedAt, let completedAt else { return nil }
        return RestoreWatch.StepLog.duration(completedAt.timeIntervalSince(startedAt))
    }
}

extension Deployment {
    /// How long it ran, in seconds, once it has ended.
    var duration: TimeInterval? {
        if let durationMs { return Double(durationMs) / 1000 }
        guard let startedAt, let completedAt else { return nil }
        return completedAt.timeIntervalSince(startedAt)
    }

    /// `abc123def456 "Fix the totals" by Ada (main)`: the commit as far as it is known, else the ref asked for.
    var commitDescription: String? {
        let ref = branch ?? tag
        guard let commitSha else { return ref.map { "not resolved yet (\($0))" } }
        var text = String(commitSha.prefix(12))
        if let message = commitMessage?.split(whereSeparator: \.isNewline).first {
            text += " \"\(Sanitized.line(String(message)))\""
        }
        if let commitAuthor { text += " by " + Sanitized.line(commitAuthor) }
        if let ref { text += " (\(Sanitized.line(ref)))" }
        return text
    }
}
