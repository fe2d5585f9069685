import ArgumentParser
import SlipwayCore

extension OrgCommand {
    /// `slipway org create --name N --slug S`
    struct Create: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an organization; you become its owner.")

        @Option(help: "Its name, as people read it.")
        var name: String

        @Option(help: "Its short name for URLs and --org: 3 to 50 of a-z, 0-9 and '-'.")
        var slug: String

        @OptionGroup var options: GlobalOptions

        struct Body: Encodable {
            var name: String
            var slug: String
        }

        func validate() throws {
            try checkArgument { try Validation.name(name, field: "--name") }
            try checkArgument { try Validation.slug(slug, field: "--slug") }
        }

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let organization = try await session.create(
                APIClient.path("organizations"), body: Body(name: name, slug: slug), as: Organization.self)
            if !options.json {
                session.note("Act in it with --org \(organization.slug) or SLIPWAY_ORG=\(organization.slug).")
            }
        }
    }
}
