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

        @OptionGroup var page: PageOptions

        @OptionGroup var options: GlobalOptions

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let reply = try await WebhookCommand.explaining(project: project) {
                try await session.client.get(
                    WebhookCommand.path(project: project, "deliveries") + page.query,
                    as: Page<WebhookDelivery>.self)
            }
            if session.json { return session.printJSON(reply.body) }
            let found = reply.value
            guard !found.items.isEmpty else {
                return session.print(
                    found.total == 0
                        ? "No deliveries. Set up a webhook with `slipway webhook configure --project \(project) "
                            + "--provider PROVIDER`."
                        : "No deliveries past \(page.offset) (\(found.total) in all).")
            }
            session.print(Table(headers: WebhookDelivery.columns, rows: found.items.map(\.row)).render())
            session.note(
                "Deliveries \(page.offset + 1) to \(page.offset + found.items.count) of \(found.total)"
                    + (page.offset + found.items.count < found.total
                        ? ": --offset \(page.offset + found.items.count) shows the next." : "."))
        }
    }
}
