/// A Git host that sends push webhooks, and the headers its deliveries carry.
public enum GitProvider: String, Codable, Sendable, CaseIterable {
    /// GitHub (and GitHub Enterprise).
    case github
    /// GitLab, self-managed or gitlab.com.
    case gitlab
    /// Gitea and Forgejo (Forgejo keeps Gitea's headers).
    case gitea
    /// Bitbucket Cloud.
    case bitbucket

    /// The header naming the event: `push`, `Push Hook`, `repo:push`...
    public var eventHeader: String {
        switch self {
        case .github: "X-GitHub-Event"
        case .gitlab: "X-Gitlab-Event"
        case .gitea: "X-Gitea-Event"
        case .bitbucket: "X-Event-Key"
        }
    }

    /// The header carrying the signature of the body (GitLab: the secret itself).
    public var signatureHeader: String {
        switch self {
        case .github: "X-Hub-Signature-256"
        case .gitlab: "X-Gitlab-Token"
        case .gitea: "X-Gitea-Signature"
        case .bitbucket: "X-Hub-Signature"
        }
    }

    /// The header with the provider's id of the delivery, the same when it retries one.
    public var deliveryHeader: String {
        switch self {
        case .github: "X-GitHub-Delivery"
        case .gitlab: "X-Gitlab-Event-UUID"
        case .gitea: "X-Gitea-Delivery"
        case .bitbucket: "X-Request-UUID"
        }
    }
}
