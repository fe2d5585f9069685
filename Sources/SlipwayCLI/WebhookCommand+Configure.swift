import ArgumentParser
import Foundation
import SlipwayCore

extension WebhookCommand {
    /// `slipway webhook configure --project P --provider github|gitlab|gitea|bitbucket`
    struct Configure: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "Set up a project's webhook for a Git provider, or give it a new secret: prints what to paste.",
            discussion: """
                Prints the URL the provider posts to, the secret it signs with (shown only now) and what to set \
                in the provider's webhook form. Run it again for the same provider to rotate the secret: the old \
                one stops working at once, so paste the new one at the provider. gitea also serves Forgejo.
                """)

        @Option(help: ArgumentHelp("The project's id (prj_...).", valueName: "id"))
        var project: String

        @Option(help: "The Git host that sends the pushes.")
        var provider: GitProvider

        @OptionGroup var options: GlobalOptions

        /// What the API answers, once: the URL and the secret to paste at the provider.
        struct Setup: Decodable, Sendable {
            var endpoint: WebhookEndpoint
            var url: String
            var secret: String
            var signatureHeader: String
        }

        struct Body: Encodable {
            var provider: GitProvider
        }

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let reply = try await WebhookCommand.explaining(project: project, provider: provider) {
                try await session.client.post(
                    WebhookCommand.path(project: project), body: Body(provider: provider), as: Setup.self)
            }
            if session.json { return session.printJSON(reply.body) }
            let setup = reply.value
            session.print(
                DetailList([
                    ("url", setup.url), ("secret", setup.secret), ("signatureHeader", setup.signatureHeader),
                    ("provider", provider.rawValue), ("projectId", project),
                ]).render())
            Self.instructions(for: provider, url: setup.url).forEach(session.note)
            if Self.isLoopback(setup.url) {
                session.note(
                    "This URL is the address this CLI reached the control plane at, which the Git host cannot "
                        + "reach: give it the control plane's public address with the same path.")
            }
            session.note(
                "The secret is shown only now. `slipway webhook configure --project \(project) --provider "
                    + "\(provider.rawValue)` again gives a new one (the old one stops working at once); "
                    + "`slipway webhook deliveries --project \(project)` shows what each push did.")
        }

        /// What to set in the provider's webhook form, line by line.
        static func instructions(for provider: GitProvider, url: String) -> [String] {
            let fields: [(String, String)]
            let place: String
            switch provider {
            case .github:
                place = "At GitHub: the repository's Settings > Webhooks > Add webhook:"
                fields = [
                    ("Payload URL", url), ("Content type", "application/json"), ("Secret", "the secret above"),
                    ("Which events", "Just the push event"),
                ]
            case .gitlab:
                place = "At GitLab: the project's Settings > Webhooks > Add new webhook:"
                fields = [
                    ("URL", url), ("Secret token", "the secret above"), ("Trigger", "Push events, Tag push events"),
                ]
            case .gitea:
                place = "At Gitea or Forgejo: the repository's Settings > Webhooks > Add webhook > Gitea (Forgejo):"
                fields = [
                    ("Target URL", url), ("HTTP method", "POST"), ("POST content type", "application/json"),
                    ("Secret", "the secret above"), ("Trigger on", "Push events"),
                ]
            case .bitbucket:
                place = "At Bitbucket: the repository's Repository settings > Webhooks > Add webhook:"
                fields = [("URL", url), ("Secret", "the secret above"), ("Triggers", "Repository push")]
            }
            let width = (fields.map(\.0.count).max() ?? 0) + 1
            return [place]
                + fields.map { name, value in
                    "  " + name + ":" + String(repeating: " ", count: width - name.count) + value
                }
        }

        /// Whether `url` names this machine, which a Git host elsewhere cannot post to.
        static func isLoopback(_ url: String) -> Bool {
            guard let host = URLComponents(string: url)?.host?.lowercased() else { return false }
            return host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
        }
    }
}
