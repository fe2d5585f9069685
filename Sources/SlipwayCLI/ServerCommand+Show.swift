import ArgumentParser
import SlipwayCore

extension ServerCommand {
    /// `slipway server show ID`
    struct Show: CLICommand {
        static let configuration = CommandConfiguration(abstract: "Show one server.")

        @Argument(help: "The server's id (srv_...).")
        var id: String

        @OptionGroup var options: GlobalOptions

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            try await session.show(APIClient.path("servers", id), as: Server.self)
        }
    }
}
