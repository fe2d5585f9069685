import ArgumentParser
import SlipwayCore

/// `slipway webhook`: a project's webhook endpoints (one per Git provider, each with its own secret), so a push
/// deploys, and the log of the deliveries they received.
struct WebhookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook",
        abstract: "Configure, list and remove a project's push webhooks; list the deliveries they received.",
        discussion: """
            `slipway webhook configure --project P --provider github` prints the URL and the secret to paste at \
            the Git host. A signed push to a branch the project's branch mappings send to an environment with \
            auto-deploy on (and instances) queues a deployment of the pushed commit; `slipway webhook \
            deliveries --project P` shows what each delivery did, or why it did nothing.
            """,
        subcommands: [Configure.self, List.self, Remove.self, Deliveries.self]
    )

    /// `/api/projects/PROJECT/webhooks[/SEGMENT...]`
    static func path(project: String, _ rest: String...) -> String {
        rest.reduce(APIClient.path("projects", project, "webhooks")) { path, segment in
            path + APIClient.path(segment).dropFirst("/api".count)
        }
    }

    /// The API's refusals about webhooks, with what to do about them.
    static func explained(_ error: CLIError, project: String, provider: GitProvider? = nil) -> CLIError {
        var error = error
        switch error.code {
        case "not_found" where error.message.hasPrefix("project"):
            error.hint = "check the id with `slipway project list`"
        case "not_found" where error.message.hasPrefix("webhook"):
            error.hint =
                "the project has no \(provider?.rawValue ?? "such") webhook: see `slipway webhook list --project "
                + "\(project)`"
        default:
            break
        }
        return error
    }

    /// Runs a request, explaining the API's refusals about webhooks.
    @discardableResult
    static func explaining<T>(project: String, provider: GitProvider? = nil, _ request: () async throws -> T)
        async throws -> T
    {
        do {
            return try await request()
        } catch let error as CLIError {
            throw explained(error, project: project, provider: provider)
        }
    }
}

extension GitProvider: ExpressibleByArgument {}
