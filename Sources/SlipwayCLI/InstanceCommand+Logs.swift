import ArgumentParser
import SlipwayCore

extension InstanceCommand {
    /// `slipway instance logs ID [--tail N]`
    struct Logs: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the last lines the instance's active container wrote (standard output and error).")

        @Argument(help: "The instance's id (ins_...).")
        var id: String

        @Option(help: ArgumentHelp("How many of the last lines, 1 to 10000.", valueName: "lines"))
        var tail: Int = 100

        @OptionGroup var options: GlobalOptions

        /// One line of the API's answer.
        struct Line: Decodable, Sendable {
            var stream: String
            var text: String
        }

        func validate() throws {
            guard (1...10_000).contains(tail) else { throw ValidationError("--tail must be 1 to 10000 lines") }
        }

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let reply: APIClient.Reply<ItemList<Line>>
            do {
                reply = try await session.client.get(
                    APIClient.path("instances", id, "logs") + "?tail=\(tail)", as: ItemList<Line>.self)
            } catch var error as CLIError where error.code == "server_unreachable" {
                error.hint =
                    "the logs are read from the instance's server: check it with `slipway server verify SERVER_ID` "
                    + "(`slipway instance show \(id)` names it)"
                throw error
            }
            if session.json { return session.printJSON(reply.body) }
            guard !reply.value.items.isEmpty else {
                return session.note("No log lines: the instance has no container yet, or it wrote nothing.")
            }
            reply.value.items.forEach { session.print(Sanitized.line($0.text)) }
        }
    }
}
