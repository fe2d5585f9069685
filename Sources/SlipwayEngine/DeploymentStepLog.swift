import Foundation
import SlipwayCore
import SlipwayStore

/// The output of the step that runs now: lines are kept on the step and written to the store as they come
/// (at most every `flushInterval`, and always at the end), so the event stream shows them while the step
/// still runs. The output keeps its last `limit` characters: a long build keeps its end, where failures are.
actor DeploymentStepLog {
    let deploymentId: String
    let position: Int
    private(set) var step: Step
    private let store: any Store
    private let flushInterval: Duration
    private let limit: Int
    private var lastFlush: ContinuousClock.Instant

    init(
        deploymentId: String, position: Int, step: Step, store: any Store,
        flushInterval: Duration = .milliseconds(250), limit: Int = 200_000
    ) {
        self.deploymentId = deploymentId
        self.position = position
        self.step = step
        self.store = store
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
        if ContinuousClock.now - lastFlush >= flushInterval {
            await flush()
        }
    }

    /// Writes the step as it stands; a failed write is retried with the next line or at the step's end.
    func flush() async {
        lastFlush = .now
        try? await store.updateDeploymentStep(deploymentId: deploymentId, position: position, step)
    }
}
