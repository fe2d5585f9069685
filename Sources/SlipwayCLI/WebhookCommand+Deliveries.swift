import ArgumentParser
import SlipwayCore

extension WebhookCommand {
    /// `slipway webhook deliveries --project P [--limit 20] [--offset 0]`
    struct Deliveries: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "List the deliveries a project's webhooks received, newest first, with what each did.",
            discussion: """
                VERDICT is `deployed` (DEPLOYMENT names the deployment it queued), `ignored: REASON` (verified, \
                nothing to deploy: a branch no mapping deploys, auto-deploy off, a redelivery...) or \
                `rejected: REASON` (a bad signature, a missing header...).
                """)

        @Option(help: ArgumentHelp("The project's id (prj_...).", valueName: "id"))
        var project: String

        @Option(help: "How many to list, 1 to 100.")
        var limit = 20

        @Option(help: "How many of the newest to skip.")
        var offset = 0

        @OptionGroup var options: GlobalOptions

        func validate() throws {
            guard (1...100).contains(limit) else { throw ValidationError("--limit must be between 1 and 100") }
            guard offset >= 0 else { throw ValidationError("--offset must not be negative") }
        }

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let reply = try await WebhookCommand.explaining(project: project) {
                try await session.client.get(
                    WebhookCommand.path(project: project, "deliveries") + "?limit=\(limit)&offset=\(offset)",
                    as: Page<WebhookDelivery>.self)
            }
            if session.json { return session.printJSON(reply.body) }
            let page = reply.value
            guard !page.items.isEmpty else {
                return session.print(
                    page.total == 0
                        ? "No deliveries. Set up a webhook with `slipway webhook configure --project \(project) "
                            + "--provider PROVIDER`."
                        : "No deliveries past \(offset) (\(page.total) in all).")
            }
            session.print(Table(headers: WebhookDelivery.columns, rows: page.items.map(\.row)).render())
            session.note(
                "Deliveries \(offset + 1) to \(offset + page.items.count) of \(page.total)"
                    + (offset + page.items.count < page.total
                        ? ": --offset \(offset + page.items.count) shows the next." : "."))
        }
    }
}
