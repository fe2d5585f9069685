import Foundation
import SlipwayCore

/// Runs `deployment` jobs through the ``DeploymentPipeline``: the job's subject is the deployment. A job
/// claimed again after its worker died resumes the deployment from its record. Whatever ends the job (but
/// a stop of the control plane, which hands it on), the deployment ends too: never `running` forever.
public struct DeploymentJobHandler: JobHandler {
    public let kind = Job.Kind.deployment
    let pipeline: DeploymentPipeline

    public init(pipeline: DeploymentPipeline) {
        self.pipeline = pipeline
    }

    public func run(_ job: Job) async throws {
        do {
            try await pipeline.run(organizationId: job.organizationId, deploymentId: job.subjectId)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            // The pipeline records its own failures; this catches what stopped it before it could.
            if var deployment = try? await pipeline.store.deployment(
                organizationId: job.organizationId, id: job.subjectId),
                !deployment.hasEnded
            {
                deployment.end(.failed, error: "the control plane could not run the deployment: \(error)", at: Date())
                _ = try? await pipeline.store.updateDeployment(deployment)
            }
            throw error
        }
    }
}
