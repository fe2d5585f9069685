import ArgumentParser

/// `slipway instance`: the running apps of an environment, each on one server.
struct InstanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "instance",
        abstract: "List, create, show, start, stop, restart and remove instances; read their logs; set their secrets.",
        subcommands: [
            List.self, Create.self, Show.self, Start.self, Stop.self, Restart.self, Logs.self, Remove.self,
            Secret.self,
        ]
    )
}
