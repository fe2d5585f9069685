import ArgumentParser

/// `slipway server`: the Linux machines apps run on, reached over SSH.
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "List, add, show, verify and remove servers.",
        subcommands: [List.self, Create.self, Show.self, Verify.self, TrustHostKey.self, Delete.self]
    )
}
