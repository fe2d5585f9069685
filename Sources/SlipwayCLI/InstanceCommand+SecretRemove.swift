import ArgumentParser
import SlipwayCore

extension InstanceCommand.Secret {
    /// `slipway instance secret remove ID NAME`
    struct Remove: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a secret of an instance; its containers lose it at the next restart.",
            aliases: ["delete"])

        @Argument(help: "The instance's id (ins_...).")
        var id: String

        @Argument(help: "The secret's name.")
        var name: String

        @OptionGroup var options: GlobalOptions

        func validate() throws {
            try checkArgument { try Validation.environmentName(name, field: "NAME") }
        }

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            do {
                try await session.delete(
                    APIClient.path("instances", id, "secrets", name), id: name,
                    done: "Removed secret \(name) of instance \(id); it is gone at the next "
                        + "`slipway instance restart \(id)`.")
            } catch var error as CLIError where error.status == 404 && error.message.hasPrefix("secret") {
                error.hint = "`slipway instance show \(id)` lists the names of its secrets"
                throw error
            }
        }
    }
}
