/// What `slipway login` stores in `config.json`: where the control plane is, the token,
/// and optionally the organization to act in.
public struct CLIConfig: Codable, Sendable, Equatable {
    public var url: String
    public var token: String
    /// An organization slug, sent as `X-Org-Slug`; nil lets the server pick the token's organization.
    public var org: String?

    public init(url: String, token: String, org: String? = nil) {
        self.url = url
        self.token = token
        self.org = org
    }
}
