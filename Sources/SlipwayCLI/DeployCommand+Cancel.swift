import ArgumentParser
import SlipwayCore

extension DeployCommand {
    /// `slipway deploy cancel --deployment D`
    struct Cancel: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "Cancel a deployment: a queued one at once, a running one at its next safe point.",
            discussion: """
                A running deployment stops before traffic moves to the new version, and what it changed is put \
                back; once traffic has moved it runs to its end. `slipway deploy follow` shows how it ends.
                """)

        @OptionGroup var deployment: DeploymentOption

        @OptionGroup var options: GlobalOptions

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let id = deployment.deployment
            let reply = try await DeployCommand.post([String: String](), about: id, session: session) {
                DeployCommand.path(project: $0.projectId, "deployments", id, "cancel")
            }
            if session.json { return session.printJSON(reply.body) }
            if reply.value.status == .cancelled {
                session.print("Cancelled deployment \(id).")
            } else {
                session.print(
                    "Asked deployment \(id) to stop: it is \(reply.value.status.rawValue) and stops at its next "
                        + "safe point. Follow it with `slipway deploy follow --deployment \(id)`.")
            }
        }
    }
}
