import ArgumentParser
import SlipwayCore

extension DeployCommand {
    /// `slipway deploy rollback --deployment D [--follow] [--timeout SECONDS]`
    struct Rollback: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "Roll back a completed deployment: what ran before it comes back.",
            discussion: """
                Each of its instances gets back the image it ran before the deployment (by digest, nothing is \
                built), with the deployment's pre-deploy snapshot restored, through the same blue-green switch. \
                It is refused for a deployment that has not completed, and for a first deployment (there was \
                nothing before it).
                """)

        @OptionGroup var deployment: DeploymentOption

        @OptionGroup var follow: FollowOptions

        @OptionGroup var options: GlobalOptions

        struct Body: Encodable {
            var deploymentId: String
        }

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let id = deployment.deployment
            let reply = try await DeployCommand.post(Body(deploymentId: id), about: id, session: session) {
                DeployCommand.path(project: $0.projectId, "rollback")
            }
            guard follow.follow else { return DeployCommand.queued(reply, session: session) }
            try await DeployCommand.follow(reply.value, session: session, timeout: follow.timeout)
        }
    }
}
