import ArgumentParser
import SlipwayCore

/// `slipway project`: projects, one Git repository and app kind each.
struct ProjectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "project",
        abstract: "List, create, show and delete projects; their branch mappings and deploy keys.",
        subcommands: [List.self, Create.self, Show.self, Delete.self, Mappings.self, DeployKeyCommand.self]
    )
}

extension Project.Kind: ExpressibleByArgument {}
