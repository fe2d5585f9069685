import Foundation
import SlipwayCore
import SlipwayStore

/// Keeps a deployment's record true while it runs: each step is written as `running` before it acts and
/// as `completed`, `skipped` or `failed` after, with its output and duration; what a step learns (the
/// commit, the images, the snapshots) is written with it, so a control plane that takes over after a
/// crash resumes from the record.
struct DeploymentRecorder {
    private(set) var deployment: Deployment
    let store: any Store
    let clock: @Sendable () -> Date

    init(_ deployment: Deployment, store: any Store, clock: @escaping @Sendable () -> Date) {
        self.deployment = deployment
        self.store = store
        self.clock = clock
    }

    /// What a step's body answers: it ran, or there was nothing for it to do (why goes in its output).
    enum Outcome {
        case completed
        case skipped(String)
    }

    /// Writes the deployment whole (a change the steps made, or its final status).
    mutating func save() async throws {
        guard let stored = try await store.updateDeployment(deployment) else {
            throw DeploymentFailure("the deployment was deleted while it ran")
        }
        deployment.cancelRequested = stored.cancelRequested
    }

    /// Changes the record and writes it.
    mutating func update(_ change: (inout Deployment) -> Void) async throws {
        change(&deployment)
        try await save()
    }

    /// Whether a cancel was asked for since the run began (read from the store).
    mutating func cancelRequested() async throws -> Bool {
        if let stored = try await store.deployment(organizationId: deployment.organizationId, id: deployment.id) {
            deployment.cancelRequested = stored.cancelRequested
        }
        return deployment.cancelRequested
    }

    /// Runs one step: `running` is written first; `body` may change the deployment (what it learned) and
    /// writes lines to the log; the step ends `completed`, `skipped` or `failed` with its output.
    mutating func step(
        _ name: Step.Name, _ body: (inout Deployment, DeploymentStepLog) async throws -> Outcome
    ) async throws {
        guard let position = deployment.steps.firstIndex(where: { $0.name == name }) else { return }
        let started = clock()
        let resumed = deployment.steps[position].status == .running
        deployment.steps[position].status = .running
        deployment.steps[position].startedAt = started
        deployment.steps[position].completedAt = nil
        deployment.steps[position].durationMs = nil
        if resumed {
            deployment.steps[position].output += "(the control plane running this step stopped; running it again)\n"
        }
        try await save()
        let log = DeploymentStepLog(
            deploymentId: deployment.id, position: position, step: deployment.steps[position], store: store)
        do {
            let outcome = try await body(&deployment, log)
            var step = await log.step
            if case .skipped(let why) = outcome {
                step.status = .skipped
                step.output += why + "\n"
            } else {
                step.status = .completed
            }
            finish(&step, started: started)
            deployment.steps[position] = step
            try await save()
        } catch is CancellationError {
            // The control plane is stopping: the step stays `running`, and the next worker runs it again.
            throw CancellationError()
        } catch {
            var step = await log.step
            step.status = .failed
            step.output += "\(error)\n"
            finish(&step, started: started)
            deployment.steps[position] = step
            try await save()
            throw StepFailure(step: name, reason: "\(error)")
        }
    }

    private func finish(_ step: inout Step, started: Date) {
        let ended = clock()
        step.completedAt = ended
        step.durationMs = max(0, Int((ended.timeIntervalSince(started) * 1000).rounded()))
    }
}

/// A deployment that cannot go on, in words the user acts on.
struct DeploymentFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Which step failed, and why: the deployment's `error`.
struct StepFailure: Error, CustomStringConvertible {
    let step: Step.Name
    let reason: String
    var description: String { "\(step.rawValue) failed: \(reason)" }
}

/// A cancel asked for by the user, seen at a safe point.
struct DeploymentCancelled: Error, CustomStringConvertible {
    var description: String { "cancelled" }
}
