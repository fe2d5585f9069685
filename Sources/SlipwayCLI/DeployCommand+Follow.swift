import ArgumentParser
import SlipwayCore

extension DeployCommand {
    /// `slipway deploy follow --deployment D [--timeout SECONDS]`
    struct Follow: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "Follow a deployment: each step as it runs, then how it ended; exit 1 unless it completed.",
            discussion: "A deployment that has ended prints its steps and how it ended at once.")

        @OptionGroup var deployment: DeploymentOption

        @Option(help: ArgumentHelp("How long to follow, in seconds.", valueName: "seconds"))
        var timeout: Int = 3600

        @OptionGroup var options: GlobalOptions

        func validate() throws {
            guard timeout > 0 else { throw ValidationError("--timeout must be a positive number of seconds") }
        }

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let reply = try await DeployCommand.deployment(deployment.deployment, session: session)
            try await DeployCommand.follow(reply.value, session: session, timeout: timeout)
        }
    }
}
