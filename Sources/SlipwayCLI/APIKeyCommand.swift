import ArgumentParser

/// `slipway apikey`: organization-scoped bearer tokens for scripts and CI.
struct APIKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apikey",
        abstract: "List, create, show and revoke API keys.",
        subcommands: [List.self, Create.self, Show.self, Delete.self]
    )
}
