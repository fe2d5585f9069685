import ArgumentParser
import Foundation
import SlipwayCore

/// `slipway login`: checks a token against the control plane, then saves both for the other commands.
struct Login: CLICommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a token against the control plane and save it for the other commands.",
        discussion: """
            Writes $XDG_CONFIG_HOME/slipway/config.json (else ~/.config/slipway/config.json) with mode 0600. \
            SLIPWAY_URL, SLIPWAY_TOKEN and SLIPWAY_ORG override what it holds.
            """)

    @Option(help: ArgumentHelp("The control plane's address, like http://127.0.0.1:8080.", valueName: "url"))
    var url: String

    @Option(help: ArgumentHelp("A personal token or an API key.", valueName: "token"))
    var token: String

    @OptionGroup var options: GlobalOptions

    /// What `GET /api/me` answers: who the token acts as, and where.
    struct Identity: Codable, Sendable {
        var organization: Organization
        var user: User?
        var permissions: [String]
        var tokenKind: APIToken.Kind
    }

    func validate() throws {
        guard let parsed = URL(string: url), let scheme = parsed.scheme, ["http", "https"].contains(scheme),
            parsed.host?.isEmpty == false
        else {
            throw ValidationError("--url must be an http:// or https:// address, like http://127.0.0.1:8080")
        }
        guard !token.isEmpty, !token.contains(where: { $0.isWhitespace }) else {
            throw ValidationError("--token must be a token without spaces")
        }
    }

    func run(in environment: CLIEnvironment) async throws {
        let client = APIClient(baseURL: url, token: token, org: options.org, httpClient: environment.httpClient)
        let reply: APIClient.Reply<Identity>
        do {
            reply = try await client.get("/api/me", as: Identity.self)
        } catch var error as CLIError where error.status == 401 {
            error.hint =
                "the server refused this token: copy it again (a new server writes its first token to DATA_DIR/initial-token)"
            throw error
        }
        let file = try environment.configFile
        try file.write(CLIConfig(url: client.baseURL, token: token, org: options.org))

        if options.json { return environment.output.out(JSONCoding.prettyPrinted(reply.body)) }
        let identity = reply.value
        let who: String
        if let user = identity.user {
            who = "\(user.name) <\(user.email)>" + (identity.tokenKind == .apiKey ? " (API key)" : "")
        } else {
            who = "an API key"
        }
        let org = identity.organization
        environment.output.out(
            Sanitized.line("Logged in to \(client.baseURL) as \(who) in organization \(org.name) (\(org.slug)).")
        )
        environment.output.out("Saved to \(file.path).")
    }
}
