import ArgumentParser
import SlipwayCore

extension ProjectCommand {
    /// `slipway project deploy-key --project P [--rotate]`
    struct DeployKeyCommand: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "deploy-key",
            abstract: "Show the project's deploy key, to add read-only at the Git host; --rotate makes a new one.",
            discussion: """
                Every project gets an SSH key pair when it is created; its private half stays sealed on the \
                control plane and is written on a server only while a deployment fetches. Add the public key \
                line as a read-only deploy key of the repository. It is used when the repository URL is an SSH \
                one (git@host:team/app.git or ssh://...).
                """)

        @Option(help: ArgumentHelp("The project's id (prj_...).", valueName: "id"))
        var project: String

        @Flag(help: "Make a new key pair: the old key stops working at once, so replace it at the Git host.")
        var rotate = false

        @OptionGroup var options: GlobalOptions

        func run(in environment: CLIEnvironment) async throws {
            let session = try Session(environment: environment, options: options)
            let path = APIClient.path("projects", project, "deploy-key")
            let reply: APIClient.Reply<DeployKey>
            do {
                reply =
                    rotate
                    ? try await session.client.post(path, body: [String: String](), as: DeployKey.self)
                    : try await session.client.get(path, as: DeployKey.self)
            } catch var error as CLIError where error.code == "not_found" {
                error.hint =
                    error.message.hasPrefix("deploy key")
                    ? "make one with `slipway project deploy-key --project \(project) --rotate`"
                    : "check the id with `slipway project list`"
                throw error
            }
            if session.json { return session.printJSON(reply.body) }
            let key = reply.value
            // The key line alone, so it can be copied (or piped) whole.
            session.print(key.publicKey)
            session.print(
                DetailList([("fingerprint", key.fingerprint), ("createdAt", JSONCoding.formatDate(key.createdAt))])
                    .render())
            if rotate {
                session.note(
                    "This is a new key: the old one stopped working at once. Replace it at the Git host before the "
                        + "next deployment fetches.")
            }
            session.note(
                "Add the key line to the repository's deploy keys at the Git host, read-only (GitHub: Settings > "
                    + "Deploy keys, without write access; GitLab: Settings > Repository > Deploy keys; Gitea and "
                    + "Forgejo: Settings > Deploy keys; Bitbucket: Repository settings > Access keys). It is used "
                    + "when the repository URL is an SSH one.")
        }
    }
}
