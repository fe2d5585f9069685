import ArgumentParser
import SlipwayCore

/// `slipway deploy`: deploying a branch, commit or tag (the default subcommand, so
/// `slipway deploy --project P --branch main` deploys), and the project's deployments.
struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Deploy a branch, commit or tag; list, show, follow, roll back and cancel deployments.",
        discussion: """
            `slipway deploy --project P --branch main` deploys main to every instance of the environment the \
            branch maps to (`--instance I`: that instance alone); --follow prints each step as it runs. A \
            completed deployment is a release: `slipway deploy rollback --deployment D` brings back what ran \
            before it.
            """,
        subcommands: [Trigger.self, List.self, Show.self, Follow.self, Rollback.self, Cancel.self],
        defaultSubcommand: Trigger.self
    )

    /// `/api/projects/PROJECT/SEGMENT...`
    static func path(project: String, _ rest: String...) -> String {
        rest.reduce(APIClient.path("projects", project)) { path, segment in
            path + APIClient.path(segment).dropFirst("/api".count)
        }
    }

    /// The deployment by its id alone (`GET /api/deployments/ID`), which names its project.
    static func deployment(_ id: String, session: Session) async throws -> APIClient.Reply<Deployment> {
        try await explaining(deployment: id) {
            try await session.client.get(APIClient.path("deployments", id), as: Deployment.self)
        }
    }

    /// Finds the deployment `id` by its id alone, then POSTs `body` to the path `path` makes of it (the route
    /// is under its project), explaining the API's refusals.
    static func post(
        _ body: some Encodable, about id: String, session: Session, to path: (Deployment) -> String
    ) async throws -> APIClient.Reply<Deployment> {
        let current = try await deployment(id, session: session).value
        return try await explaining(project: current.projectId, deployment: id) {
            try await session.client.post(path(current), body: body, as: Deployment.self)
        }
    }

    /// The API's refusals about deployments, with what to do about them.
    static func explained(_ error: CLIError, project: String?, deployment: String?) -> CLIError {
        var error = error
        let named = deployment ?? "ID"
        switch error.code {
        case "not_found" where error.message.hasPrefix("project"):
            error.hint = "check the id with `slipway project list`"
        case "not_found" where error.message.hasPrefix("deployment"):
            error.hint = "check the id with `slipway deploy list --project \(project ?? "PROJECT")`"
        case "not_found" where error.message.hasPrefix("instance"):
            error.hint = "the instance must be of this project: see `slipway instance list --environment ENV`"
        case "no_instances":
            error.hint = "create one with `slipway instance create --environment ENV ...`"
        case "invalid_field" where error.field == "branch":
            let projectId = project ?? "PROJECT"
            error.hint =
                "a branch deploys to the environment its branch mapping (or the environment's own branch) names: "
                + "see `slipway project show \(projectId)` and `slipway env list --project \(projectId)`, or give --instance"
        case "not_completed", "nothing_before":
            error.hint = "see its steps with `slipway deploy show --deployment \(named)`"
        case "already_ended":
            error.hint = "see how it ended with `slipway deploy show --deployment \(named)`"
        default:
            break
        }
        return error
    }

    /// Runs a request, explaining the API's refusals about deployments.
    @discardableResult
    static func explaining<T>(project: String? = nil, deployment: String? = nil, _ request: () async throws -> T)
        async throws -> T
    {
        do {
            return try await request()
        } catch let error as CLIError {
            throw explained(error, project: project, deployment: deployment)
        }
    }

    /// Follows `deployment` until it ends and prints how (`--json`: the record); exit 1 unless it completed.
    static func follow(_ deployment: Deployment, session: Session, timeout: Int) async throws {
        if !session.json {
            let what =
                deployment.rollbackOf.map { "Rolling back deployment \($0)" } ?? "Deploying \(deployment.ref ?? "")"
            session.note("\(what) (deployment \(deployment.id)); Ctrl-C stops following, not the deployment.")
        }
        let watch = DeployWatch(session: session, deployment: deployment, timeout: timeout)
        try watch.report(try await watch.wait())
    }

    /// Prints a deployment just queued, and how to follow it.
    static func queued(_ reply: APIClient.Reply<Deployment>, session: Session) {
        if session.json { return session.printJSON(reply.body) }
        session.print(reply.value.details.render())
        session.note(
            "Queued deployment \(reply.value.id): follow it with `slipway deploy follow --deployment "
                + "\(reply.value.id)`, or pass --follow next time.")
    }
}

/// `--follow` and `--timeout`, for the commands that queue a deployment.
struct FollowOptions: ParsableArguments {
    @Flag(
        help: "Follow the deployment: print each step as it runs, then how it ended; exit 1 unless it completed.")
    var follow = false

    @Option(help: ArgumentHelp("How long --follow follows, in seconds.", valueName: "seconds"))
    var timeout: Int = 3600

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be a positive number of seconds") }
    }
}

/// `--deployment ID`, shared by the commands on one deployment.
struct DeploymentOption: ParsableArguments {
    @Option(help: ArgumentHelp("The deployment's id (dep_...).", valueName: "id"))
    var deployment: String

    func validate() throws {
        guard !deployment.isEmpty, deployment.count <= 64 else {
            throw ValidationError("--deployment must be a deployment id like dep_...")
        }
    }
}
