import ArgumentParser
import SlipwayCore

extension DeployCommand {
    /// `slipway deploy [trigger] --project P [--branch B] [--commit SHA] [--tag T] [--instance I] [--follow]
    /// [--timeout SECONDS]`
    struct Trigger: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "Deploy a branch, commit or tag (the default: `slipway deploy --project P --branch main`).",
            discussion: """
                Give at least one of --branch, --commit and --tag. Without --instance it deploys to every \
                instance of the environment the branch maps to (the project's branch mappings, highest priority \
                first, else the environment on that branch); a commit or a tag alone deploys to the project's \
                one environment. One deployment per environment runs at a time: the next waits in the queue.
                """)

        @Option(help: ArgumentHelp("The project's id (prj_...).", valueName: "id"))
        var project: String

        @Option(help: ArgumentHelp("The branch to deploy; it picks the environment.", valueName: "name"))
        var branch: String?

        @Option(help: ArgumentHelp("The commit to deploy, 4 to 40 hex characters.", valueName: "sha"))
        var commit: String?

        @Option(help: ArgumentHelp("The tag to deploy.", valueName: "name"))
        var tag: String?

        @Option(help: ArgumentHelp("Deploy to this instance alone (ins_...).", valueName: "id"))
        var instance: String?

        @OptionGroup var follow: FollowOptions

        @OptionGroup var options: GlobalOptions

        var request: DeployRequest {
            DeployRequest(branch: branch, commitSha: commit, tag: tag, instanceId: instance)
        }

        /// The same checks as the API's, named by their options.
        func validate() throws {
            guard branch != nil || commit != nil || tag != nil else {
                throw ValidationError("give at least one of --branch, --commit and --tag")
            }
            do {
                try request.validate()
            } catch let error as SlipwayError {
                let flags = ["branch": "--branch", "commitSha": "--commit", "tag": "--tag", "instanceId": "--instance"]
                throw ValidationError("\(error.field.map { flags[$0] ?? $0 } ?? "deploy") \(error.message)")
            }
        }

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let reply = try await DeployCommand.explaining(project: project) {
                try await session.client.post(
                    DeployCommand.path(project: project, "deploy"), body: request, as: Deployment.self)
            }
            guard follow.follow else { return DeployCommand.queued(reply, session: session) }
            try await DeployCommand.follow(reply.value, session: session, timeout: follow.timeout)
        }
    }
}
