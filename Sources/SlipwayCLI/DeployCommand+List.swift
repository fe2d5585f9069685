import ArgumentParser
import SlipwayCore

extension DeployCommand {
    /// `slipway deploy list --project P [--limit 20] [--offset 0]`
    struct List: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "List a project's deployments, newest first, a page at a time.")

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
            let reply = try await DeployCommand.explaining(project: project) {
                try await session.client.get(
                    DeployCommand.path(project: project, "deployments") + "?limit=\(limit)&offset=\(offset)",
                    as: Page<Deployment>.self)
            }
            if session.json { return session.printJSON(reply.body) }
            let page = reply.value
            guard !page.items.isEmpty else {
                return session.print(
                    page.total == 0 ? "No deployments." : "No deployments past \(offset) (\(page.total) in all).")
            }
            session.print(Table(headers: Deployment.columns, rows: page.items.map(\.row)).render())
            if page.total > page.items.count {
                session.note(
                    "Deployments \(offset + 1) to \(offset + page.items.count) of \(page.total): "
                        + "--offset \(offset + page.items.count) shows the next.")
            }
        }
    }
}
