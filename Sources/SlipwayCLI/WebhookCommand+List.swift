import ArgumentParser
import SlipwayCore

extension WebhookCommand {
    /// `slipway webhook list --project P`
    struct List: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "List a project's webhooks: each provider's URL and when its secret was set (never the secret).")

        @Option(help: ArgumentHelp("The project's id (prj_...).", valueName: "id"))
        var project: String

        @OptionGroup var options: GlobalOptions

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            try await WebhookCommand.explaining(project: project) {
                try await session.list(WebhookCommand.path(project: project), of: ListedWebhook.self)
            }
        }
    }
}
