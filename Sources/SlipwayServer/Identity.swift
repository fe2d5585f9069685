import SlipwayCore

/// Who is calling, in which organization, with which permissions. Built from the bearer token
/// by `Authenticator`; every route that is not public receives one.
public struct Identity: Sendable {
    public var token: APIToken
    /// The user behind a personal token, or the maker of an API key when still known.
    public var user: User?
    public var organization: Organization
    public var permissions: PermissionSet
    /// The member's role for a personal token; the key's role (if any) for an API key.
    public var role: String?

    public var actorName: String {
        switch token.kind {
        case .personal: user.map { "\($0.name) <\($0.email)>" } ?? token.name
        case .apiKey: "api key \(token.name) (\(token.prefix)…)"
        }
    }

    public var isOwner: Bool { token.kind == .personal && role == SystemRole.owner.rawValue }
}
