import ArgumentParser
import SlipwayCore

/// The options every API command takes.
struct GlobalOptions: ParsableArguments {
    @Flag(help: "Print the API's JSON (indented, keys sorted) instead of a table, for scripts.")
    var json = false

    @Option(
        help: ArgumentHelp(
            "The organization to act in, by slug; sent as X-Org-Slug. Overrides SLIPWAY_ORG and the config file.",
            valueName: "slug"))
    var org: String?

    func validate() throws {
        if let org { try checkArgument { try Validation.slug(org, field: "--org") } }
    }
}
