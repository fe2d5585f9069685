import ArgumentParser
import SlipwayCore

/// `slipway env`: the environments (production, staging, development) of a project.
struct EnvCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "env",
        abstract: "List, create, show, update and delete the environments of a project.",
        subcommands: [List.self, Create.self, Show.self, Update.self, Delete.self]
    )
}

extension Environment.Kind: ExpressibleByArgument {}
extension Environment.ModuleUpdatePolicy: ExpressibleByArgument {}
