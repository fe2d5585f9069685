import Foundation
import SlipwayCore

/// The output of a step that runs now: lines are kept on the step and written to the store as they come
/// (at most every `flushInterval`, and always at the end), so the event stream shows them while the step
/// still runs. The output keeps its last `limit` characters: a long build keeps its end, where failures are.
/// It also remembers the copy of the deployment the step last wrote back (`base`), for `sync`.
actor DeploymentStepLog {
    let recorder: DeploymentRecorder
    let position: Int
    private(set) var step: Step
    private(set) var base: Deployment
    private let flushInterval: Duration
    private let limit: Int
    private var lastFlush: ContinuousClock.Instant

    init(
        recorder: DeploymentRecorder, position: Int, step: Step, base: Deployment,
        flushInterval: Duration = .milliseconds(250), limit: Int = 200_000
    ) {
        self.recorder = recorder
        self.position = position
        self.step = step
        self.base = base
        self.flushInterval = flushInterval
        self.limit = limit
        // The first line is written at once.
        self.lastFlush = ContinuousClock.now - flushInterval
    }

    /// Adds one line (a trailing newline is added) and writes the step when the last write is old enough.
    func line(_ text: String) async {
        step.output += text.hasSuffix("\n") ? text : text + "\n"
        if step.output.count > limit {
            step.output = "…\n" + String(step.output.suffix(limit))
        }
        let due = ContinuousClock.now - lastFlush >= flushInterval
        if due { lastFlush = .now }
        await recorder.stepChanged(position, step, write: due)
    }

    /// Writes what the step learned (its changes to `deployment` since the last sync) before it acts on it,
    /// and brings `deployment` up to what other steps wrote meanwhile.
    func sync(_ deployment: inout Deployment) async throws {
        deployment = try await recorder.merge(from: base, to: deployment)
        base = deployment
    }
}
