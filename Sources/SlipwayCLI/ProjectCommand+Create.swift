import ArgumentParser
import SlipwayCore

extension ProjectCommand {
    /// `slipway project create --name N --repo-url U --kind odoo|generic`
    struct Create: CLICommand {
        static let configuration = CommandConfiguration(abstract: "Create a project for a Git repository.")

        @Option(help: "Its name.")
        var name: String

        @Option(
            help: "The repository to deploy from, like https://git.example.com/team/app.git or git@host:team/app.git.")
        var repoUrl: String

        @Option(help: "The kind of app: odoo (database, filestore, module updates) or generic (any Dockerfile).")
        var kind: Project.Kind

        @OptionGroup var options: GlobalOptions

        struct Body: Encodable {
            var name: String
            var repoUrl: String
            var kind: Project.Kind
        }

        func validate() throws {
            try checkArgument { try Validation.name(name, field: "--name") }
            try checkArgument { try Validation.repoURL(repoUrl, field: "--repo-url") }
        }

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let project = try await session.create(
                APIClient.path("projects"), body: Body(name: name, repoUrl: repoUrl, kind: kind), as: Project.self)
            if !options.json {
                if project.repoUrl.contains("@") || project.repoUrl.hasPrefix("ssh://") {
                    session.note(
                        "Its deploy key, to add read-only at the Git host: slipway project deploy-key --project \(project.id)"
                    )
                }
                session.note(
                    "Next: slipway env create --project \(project.id) --name production --type production --branch main"
                )
            }
        }
    }
}
