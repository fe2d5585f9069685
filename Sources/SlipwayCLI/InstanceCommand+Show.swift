import ArgumentParser
import SlipwayCore

extension InstanceCommand {
    /// `slipway instance show ID`
    struct Show: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one instance: its status, ports, domains, env, the names of its secrets.")

        @Argument(help: "The instance's id (ins_...).")
        var id: String

        @OptionGroup var options: GlobalOptions

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let reply = try await session.client.get(APIClient.path("instances", id), as: Instance.self)
            if session.json { return session.printJSON(reply.body) }
            let instance = reply.value
            // The URLs need the port the server's Caddy serves on; a token that may not view servers goes without.
            let server = try? await session.client.get(APIClient.path("servers", instance.serverId), as: Server.self)
            session.print(instance.details(proxyHTTPPort: server?.value.proxyHTTPPort).render())
            if !instance.lastLogLines.isEmpty {
                session.print("lastLogLines:")
                instance.lastLogLines.forEach { session.print("  " + Sanitized.line($0)) }
            }
        }
    }
}
