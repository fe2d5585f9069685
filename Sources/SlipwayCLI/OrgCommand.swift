import ArgumentParser

/// `slipway org`: organizations, the tenants every other record belongs to.
struct OrgCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "org",
        abstract: "List, create, show and delete organizations.",
        subcommands: [List.self, Create.self, Show.self, Delete.self]
    )
}
