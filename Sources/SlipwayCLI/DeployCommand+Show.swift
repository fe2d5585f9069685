import ArgumentParser
import SlipwayCore

extension DeployCommand {
    /// `slipway deploy show --deployment D`
    struct Show: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one deployment: its status, commit, targets and each step with its duration.")

        @OptionGroup var deployment: DeploymentOption

        @OptionGroup var options: GlobalOptions

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let reply = try await DeployCommand.deployment(deployment.deployment, session: session)
            if session.json { return session.printJSON(reply.body) }
            session.print(reply.value.details.render())
        }
    }
}
