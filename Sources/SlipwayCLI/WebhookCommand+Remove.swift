import ArgumentParser
import SlipwayCore

extension WebhookCommand {
    /// `slipway webhook remove --project P --provider github|gitlab|gitea|bitbucket`
    struct Remove: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a project's webhook for a provider: its deliveries are refused from now on.",
            discussion: """
                Pushes no longer deploy; remove the webhook at the provider too. `slipway webhook configure` sets \
                it up again, with a new secret.
                """,
            aliases: ["delete"])

        @Option(help: ArgumentHelp("The project's id (prj_...).", valueName: "id"))
        var project: String

        @Option(help: "The Git host whose webhook to remove.")
        var provider: GitProvider

        @OptionGroup var options: GlobalOptions

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            try await WebhookCommand.explaining(project: project, provider: provider) {
                try await session.delete(
                    WebhookCommand.path(project: project, provider.rawValue), id: provider.rawValue,
                    done: "Removed the \(provider.rawValue) webhook of project \(project): its deliveries are "
                        + "refused from now on.")
            }
        }
    }
}
