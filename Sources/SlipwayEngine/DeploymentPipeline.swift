import Foundation
import Logging
import SlipwayCore
import SlipwayDrivers
import SlipwayStore

/// Runs a deployment's steps in order (ARCHITECTURE.md's pipeline): pre-deploy snapshot, clone, build,
/// push, update container (the idle colour), module update, health check, switch traffic, drain. Each step
/// is written before it acts and is safe to run again, so a deployment whose control plane died is resumed
/// from its record by the next worker that claims its job. A failure or a cancel before the switch leaves
/// the old colour serving, removes the new one, and restores the pre-deploy snapshot when the module update
/// touched the database; the deployment is `completed` only once the proxy answers from the new colour.
public struct DeploymentPipeline: Sendable {
    let snapshots: SnapshotOperations
    /// How long the old colour may take to finish its requests in flight before it is stopped.
    let drainDeadline: Duration
    /// How long the proxy may take to answer from the new colour after the switch.
    let switchDeadline: Duration
    let clock: @Sendable () -> Date
    let logger: Logger

    public init(
        snapshots: SnapshotOperations, drainDeadline: Duration = .seconds(30), switchDeadline: Duration = .seconds(15),
        clock: @escaping @Sendable () -> Date = { Date() }, logger: Logger = Logger(label: "slipway.deployments")
    ) {
        self.snapshots = snapshots
        self.drainDeadline = drainDeadline
        self.switchDeadline = switchDeadline
        self.clock = clock
        self.logger = logger
    }

    var instances: InstanceOperations { snapshots.instances }
    var store: any Store { instances.store }

    /// Runs the deployment, or resumes it from its record. Throws when it failed (after recording why and
    /// undoing what it started); a cancelled one returns. Cancellation of the task (the control plane stops)
    /// leaves the record as it is, for the next worker.
    public func run(organizationId: String, deploymentId: String) async throws {
        guard let stored = try await store.deployment(organizationId: organizationId, id: deploymentId),
            !stored.hasEnded
        else { return }
        let recorder = DeploymentRecorder(stored, store: store, clock: clock)
        if stored.status == .queued {
            try await recorder.update { [clock] in
                $0.status = .running
                $0.startedAt = clock()
            }
        } else {
            logger.notice("resuming a deployment another worker left", metadata: ["deployment": "\(deploymentId)"])
        }
        do {
            try await runSteps(recorder)
            try await recorder.update { [clock] in $0.end(.completed, error: nil, at: clock()) }
            logger.info("deployment completed", metadata: ["deployment": "\(deploymentId)"])
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            let cancelled = error is DeploymentCancelled
            let undone = await undo(await recorder.deployment)
            let reason = ([cancelled ? "cancelled" : "\(error)"] + undone).joined(separator: "; ")
            try await recorder.update { [clock] in $0.end(cancelled ? .cancelled : .failed, error: reason, at: clock())
            }
            logger.warning(
                "deployment \(cancelled ? "cancelled" : "failed")",
                metadata: ["deployment": "\(deploymentId)", "error": "\(reason)"])
            if !cancelled { throw error }
        }
    }

    /// The steps in their recorded order, in three lanes where nothing forces one after another: the
    /// pre-deploy snapshot beside clone and build; then the push beside the new colour's start, module update
    /// and health check (which run the image the build left on the server, the same image id the push names
    /// by digest). Nothing touches an instance before update-container, which begins only once the snapshot
    /// has completed; traffic moves only once the push has completed too. When one lane fails, the other is
    /// let finish (a snapshot is never left half taken), then the first failure in step order stands.
    private func runSteps(_ recorder: DeploymentRecorder) async throws {
        async let snapshot: Void = runStep(.preDeploySnapshot, recorder)
        do {
            try await runStep(.clone, recorder)
            try await runStep(.build, recorder)
        } catch {
            _ = try? await snapshot
            throw error
        }
        async let push: Void = runStep(.push, recorder)
        do {
            try await snapshot
            for name in [Step.Name.updateContainer, .moduleUpdate, .healthCheck] { try await runStep(name, recorder) }
        } catch {
            _ = try? await push
            throw error
        }
        try await push
        for name in [Step.Name.switchTraffic, .drain] {
            try await runStep(name, recorder)
        }
    }

    /// Runs one step unless it has ended already (a resumed deployment); up to the switch, a cancel asked
    /// for stops the deployment here, before the step.
    private func runStep(_ name: Step.Name, _ recorder: DeploymentRecorder) async throws {
        guard let step = await recorder.deployment.step(name), step.status == .pending || step.status == .running
        else { return }
        if name != .drain, try await recorder.cancelRequested() { throw DeploymentCancelled() }
        try await recorder.step(name) { deployment, log in try await perform(name, &deployment, log) }
    }

    private func perform(_ name: Step.Name, _ deployment: inout Deployment, _ log: DeploymentStepLog) async throws
        -> DeploymentRecorder.Outcome
    {
        switch name {
        case .preDeploySnapshot: try await snapshot(&deployment, log)
        case .clone: try await clone(&deployment, log)
        case .build: try await build(&deployment, log)
        case .push: try await push(&deployment, log)
        case .updateContainer: try await updateContainers(&deployment, log)
        case .moduleUpdate: try await updateModules(&deployment, log)
        case .healthCheck: try await checkHealth(deployment, log)
        case .switchTraffic: try await switchTraffic(&deployment, log)
        case .drain: try await drain(deployment, log)
        }
    }

    /// Puts every target back as it was before the deployment: the traffic on the old colour, the new
    /// colour's container removed, the database restored from the pre-deploy snapshot if the deployment
    /// touched it. Says what it did, for the deployment's error.
    func undo(_ deployment: Deployment) async -> [String] {
        var notes: [String] = []
        let switchStarted = (deployment.step(.switchTraffic)?.status ?? .pending) != .pending
        for target in deployment.targets {
            guard let color = target.color,
                let instance = try? await store.instance(
                    organizationId: deployment.organizationId, id: target.instanceId)
            else { continue }
            do {
                let reached = try await instances.target(instance)
                if switchStarted, let previous = target.previousColor, previous != color {
                    try await instances.route(instance, color: previous, reached)
                    var restored = instance
                    restored.activeColor = previous
                    restored.image = target.previousImage ?? instance.image
                    _ = try await store.updateInstance(restored)
                    notes.append("the traffic of \(instance.name) is back on \(previous.rawValue)")
                }
                let active = try await store.instance(organizationId: instance.organizationId, id: instance.id)
                if active?.activeColor != color || switchStarted,
                    let container = try await instances.existing(instance.containerName(color), reached.docker)
                {
                    try await reached.docker.removeContainer(container.id, force: true, removeVolumes: true)
                    notes.append("removed the new \(color.rawValue) container of \(instance.name)")
                }
            } catch {
                notes.append("could not put \(instance.name) back: \(error)")
            }
            if target.databaseTouched, let snapshotId = target.snapshotId {
                do {
                    guard
                        let snapshot = try await store.snapshot(organizationId: instance.organizationId, id: snapshotId)
                    else { throw SlipwayError.notFound("snapshot") }
                    _ = try await snapshots.restore(snapshot, safetySnapshot: false)
                    notes.append("restored the pre-deploy snapshot \(snapshotId) into \(instance.name)")
                } catch {
                    notes.append(
                        "could not restore the pre-deploy snapshot \(snapshotId) into \(instance.name): \(error)")
                }
            }
        }
        var serving = false
        for target in deployment.targets {
            let instance = try? await store.instance(organizationId: deployment.organizationId, id: target.instanceId)
            serving = serving || instance?.image != nil
        }
        notes.append(serving ? "the old version keeps serving" : "nothing ran before: no version serves yet")
        return notes
    }

    /// The instances of the deployment's targets, as stored now, with their index in `targets`.
    func targetInstances(_ deployment: Deployment) async throws -> [(index: Int, instance: Instance)] {
        var found: [(Int, Instance)] = []
        for (index, target) in deployment.targets.enumerated() {
            guard
                let instance = try await store.instance(
                    organizationId: deployment.organizationId, id: target.instanceId)
            else { throw DeploymentFailure("the instance \(target.instanceId) was removed") }
            found.append((index, instance))
        }
        return found
    }
}
