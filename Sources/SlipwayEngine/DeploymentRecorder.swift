import Foundation
import SlipwayCore
import SlipwayStore

/// Keeps a deployment's record true while it runs: each step is written as `running` before it acts and
/// as `completed`, `skipped` or `failed` after, with its output and duration; what a step learns (the
/// commit, the images, the snapshots) is written with it, so a control plane that takes over after a
/// crash resumes from the record. Steps may run side by side (the snapshot beside the build): each works on
/// its own copy of the deployment, and only the fields a step changed are written back (`merge`), so one
/// step never writes back another's old values.
actor DeploymentRecorder {
    private(set) var deployment: Deployment
    let store: any Store
    let clock: @Sendable () -> Date

    init(_ deployment: Deployment, store: any Store, clock: @escaping @Sendable () -> Date) {
        self.deployment = deployment
        self.store = store
        self.clock = clock
    }

    /// What a step's body answers: it ran, or there was nothing for it to do (why goes in its output).
    enum Outcome: Sendable {
        case completed
        case skipped(String)
    }

    /// Changes the record and writes it.
    func update(_ change: @Sendable (inout Deployment) -> Void) async throws {
        change(&deployment)
        try await save()
    }

    /// Writes back what a step changed between `base` (the copy it started from, or last merged) and
    /// `changed`, and answers the record as it stands now.
    func merge(from base: Deployment, to changed: Deployment) async throws -> Deployment {
        deployment.merge(changesFrom: base, to: changed)
        try await save()
        return deployment
    }

    /// Whether a cancel was asked for since the run began (read from the store).
    func cancelRequested() async throws -> Bool {
        if let stored = try await store.deployment(organizationId: deployment.organizationId, id: deployment.id) {
            deployment.cancelRequested = stored.cancelRequested
        }
        return deployment.cancelRequested
    }

    /// The running step's output grew: kept on the record, and written to the store when `write`.
    func stepChanged(_ position: Int, _ step: Step, write: Bool) async {
        deployment.steps[position] = step
        if write {
            try? await store.updateDeploymentStep(deploymentId: deployment.id, position: position, step)
        }
    }

    /// Runs one step: `running` is written first; `body` changes its copy of the deployment (what it
    /// learned; `DeploymentStepLog.sync` writes it before the step acts on it) and writes lines to the log;
    /// the step ends `completed`, `skipped` or `failed` with its output.
    func step(
        _ name: Step.Name, _ body: @Sendable (inout Deployment, DeploymentStepLog) async throws -> Outcome
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
        var copy = deployment
        let log = DeploymentStepLog(recorder: self, position: position, step: deployment.steps[position], base: copy)
        do {
            let outcome = try await body(&copy, log)
            deployment.merge(changesFrom: await log.base, to: copy)
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
            deployment.merge(changesFrom: await log.base, to: copy)
            var step = await log.step
            step.status = .failed
            step.output += "\(error)\n"
            finish(&step, started: started)
            deployment.steps[position] = step
            try await save()
            throw StepFailure(step: name, reason: "\(error)")
        }
    }

    private func save() async throws {
        guard let stored = try await store.updateDeployment(deployment) else {
            throw DeploymentFailure("the deployment was deleted while it ran")
        }
        deployment.cancelRequested = stored.cancelRequested
    }

    private func finish(_ step: inout Step, started: Date) {
        let ended = clock()
        step.completedAt = ended
        step.durationMs = max(0, Int((ended.timeIntervalSince(started) * 1000).rounded()))
    }
}

extension Deployment {
    /// Takes over what changed from `base` to `changed`: the commit, the snapshot, the colour, the digest,
    /// and each target's fields. Fields a step did not change keep what another step wrote meanwhile.
    mutating func merge(changesFrom base: Deployment, to changed: Deployment) {
        func take<Value: Equatable>(_ field: WritableKeyPath<Deployment, Value>) {
            if changed[keyPath: field] != base[keyPath: field] { self[keyPath: field] = changed[keyPath: field] }
        }
        take(\.commitSha)
        take(\.commitMessage)
        take(\.commitAuthor)
        take(\.snapshotId)
        take(\.activeColor)
        take(\.imageDigest)
        guard changed.targets.count == base.targets.count, targets.count == base.targets.count else {
            if changed.targets != base.targets { targets = changed.targets }
            return
        }
        for index in targets.indices {
            func takeTarget<Value: Equatable>(_ field: WritableKeyPath<Target, Value>) {
                if changed.targets[index][keyPath: field] != base.targets[index][keyPath: field] {
                    targets[index][keyPath: field] = changed.targets[index][keyPath: field]
                }
            }
            takeTarget(\.snapshotId)
            takeTarget(\.previousImage)
            takeTarget(\.previousColor)
            takeTarget(\.image)
            takeTarget(\.color)
            takeTarget(\.databaseTouched)
        }
    }
}

extension Deployment {
    /// Ends the record as `status`, with why: steps that never ran are skipped, one left running has failed,
    /// and the duration runs from its start (or its queueing) to `ended`.
    mutating func end(_ status: Status, error: String?, at ended: Date) {
        self.status = status
        self.error = error
        for index in steps.indices {
            switch steps[index].status {
            case .pending: steps[index].status = .skipped
            case .running: steps[index].status = .failed
            default: break
            }
        }
        completedAt = ended
        durationMs = max(0, Int((ended.timeIntervalSince(startedAt ?? createdAt) * 1000).rounded()))
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
