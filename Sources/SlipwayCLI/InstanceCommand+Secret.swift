import ArgumentParser

extension InstanceCommand {
    /// `slipway instance secret`: an instance's secrets, given to its containers as environment variables.
    struct Secret: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set and remove an instance's secrets (their values are never shown).",
            discussion: """
                A secret reaches the instance's containers as an environment variable when they are next made: \
                run `slipway instance restart ID` after changing one. `slipway instance show ID` lists their names.
                """,
            subcommands: [SetValue.self, Remove.self])
    }
}
