import SlipwayCore

/// Runs `deployment` jobs through the ``DeploymentPipeline``: the job's subject is the deployment. A job
/// claimed again after its worker died resumes the deployment from its record.
public struct DeploymentJobHandler: JobHandler {
    public let kind = Job.Kind.deployment
    let pipeline: DeploymentPipeline

    public init(pipeline: DeploymentPipeline) {
        self.pipeline = pipeline
    }

    public func run(_ job: Job) async throws {
        try await pipeline.run(organizationId: job.organizationId, deploymentId: job.subjectId)
    }
}
