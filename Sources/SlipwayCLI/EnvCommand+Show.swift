import ArgumentParser
import SlipwayCore

extension EnvCommand {
    /// `slipway env show ID`
    struct Show: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one environment, with its open alerts (missed or failed backups, failed drills).")

        @Argument(help: "The environment's id (env_...).")
        var id: String

        @OptionGroup var options: GlobalOptions

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let reply = try await session.client.get(APIClient.path("environments", id), as: Environment.self)
            try await Self.present(reply, session)
        }

        /// Prints an environment the API answered: its fields and open alerts, or with `--json` the API's JSON.
        static func present(_ reply: APIClient.Reply<Environment>, _ session: Session) async throws {
            if session.json { return session.printJSON(reply.body) }
            let id = reply.value.id
            var details = reply.value.details
            if let alerts = try await openAlerts(session, environmentId: id) {
                let count = alerts.isEmpty ? "none open" : "\(alerts.count) open (slipway backup alerts --env \(id))"
                details.fields.append((key: "alerts", value: count))
                for alert in alerts {
                    details.fields.append((key: "alert", value: "\(alert.kind.rawValue): \(alert.message)"))
                }
            }
            session.print(details.render())
        }

        /// The environment's open alerts; nil when the token may not see backups (or the control plane has no alerts).
        static func openAlerts(_ session: Session, environmentId id: String) async throws -> [Alert]? {
            do {
                return try await session.client.get(
                    APIClient.path("environments", id, "alerts"), as: ItemList<Alert>.self
                )
                .value.items
            } catch let error as CLIError where error.status == 403 || error.status == 404 {
                return nil
            }
        }
    }
}
