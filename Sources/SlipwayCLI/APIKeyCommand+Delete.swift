import ArgumentParser

extension APIKeyCommand {
    /// `slipway apikey delete ID --yes`
    struct Delete: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke an API key: requests with it are refused from now on.")

        @Argument(help: "The key's id (key_...).")
        var id: String

        @Flag(help: "Confirm: a revoked key cannot be brought back.")
        var yes = false

        @OptionGroup var options: GlobalOptions

        func validate() throws {
            try requireConfirmation(yes, "revoking API key \(id)")
        }

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            try await session.delete(APIClient.path("api-keys", id), id: id, done: "Revoked API key \(id).")
        }
    }
}
