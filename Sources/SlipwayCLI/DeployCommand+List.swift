import ArgumentParser
import SlipwayCore

extension DeployCommand {
    /// `slipway deploy list --project P [--limit 20] [--offset 0]`
    struct List: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "List a project's deployments, newest first, a page at a time.")

        @Option(help: ArgumentHelp("The project's id (prj_...).", valueName: "id"))
        var project: String

        @OptionGroup var page: PageOptions

        @OptionGroup var options: GlobalOptions

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let reply = try await DeployCommand.explaining(project: project) {
                try await session.client.get(
                    DeployCommand.path(project: project, "deployments") + page.query,
                    as: Page<Deployment>.self)
            }
            if session.json { return session.printJSON(reply.body) }
            let found = reply.value
            guard !found.items.isEmpty else {
                return session.print(
                    found.total == 0 ? "No deployments." : "No deployments past \(page.offset) (\(found.total) in all)."
                )
            }
            session.print(Table(headers: Deployment.columns, rows: found.items.map(\.row)).render())
            if found.total > found.items.count {
                session.note(
                    "Deployments \(page.offset + 1) to \(page.offset + found.items.count) of \(found.total): "
                        + "--offset \(page.offset + found.items.count) shows the next.")
            }
        }
    }
}
