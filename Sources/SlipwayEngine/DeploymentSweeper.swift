import Foundation
import Logging
import ServiceLifecycle
import SlipwayCore
import SlipwayStore

/// Ends the deployments that nothing will end any more: still `queued` or `running` in their record while no
/// job of theirs is queued or running (their control plane lost the final write, and the job ended anyway).
/// One whose every step had ended was finished: it ends `completed`, as the pipeline would have written.
/// Any other is undone like a failure (the old colour back, the new one removed, the pre-deploy snapshot
/// restored if the database was touched) and ends `failed`, saying so. It sweeps at start and every
/// `interval`.
public struct DeploymentSweeper: Service {
    let pipeline: DeploymentPipeline
    let interval: Duration
    let logger: Logger

    public init(pipeline: DeploymentPipeline, interval: Duration = .seconds(60), logger: Logger) {
        self.pipeline = pipeline
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await sweep()
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// One round; answers the deployments it ended.
    @discardableResult
    public func sweep() async -> [Deployment] {
        var ended: [Deployment] = []
        do {
            for unfinished in try await pipeline.store.unfinishedDeployments() {
                let jobs = try await pipeline.store.jobs(
                    organizationId: unfinished.organizationId, subjectId: unfinished.id)
                guard !jobs.contains(where: { $0.status == .queued || $0.status == .running }),
                    var deployment = try await pipeline.store.deployment(
                        organizationId: unfinished.organizationId, id: unfinished.id),
                    !deployment.hasEnded
                else { continue }
                let job = jobs.last.map { "its job ended \($0.status.rawValue)" } ?? "it has no job"
                if deployment.steps.allSatisfy({ $0.status == .completed || $0.status == .skipped }) {
                    deployment.end(.completed, error: nil, at: pipeline.clock())
                } else {
                    let undone = await pipeline.undo(deployment)
                    deployment.end(
                        .failed,
                        error: (["\(job) before the deployment did: it was stopped where it stood"] + undone)
                            .joined(separator: "; "),
                        at: pipeline.clock())
                }
                if let stored = try await pipeline.store.updateDeployment(deployment) {
                    ended.append(stored)
                    logger.warning(
                        "ended a deployment its job had left unfinished",
                        metadata: ["deployment": "\(stored.id)", "status": "\(stored.status.rawValue)"])
                }
            }
        } catch {
            logger.error("the deployment sweep stopped", metadata: ["error": "\(error)"])
        }
        return ended
    }
}
