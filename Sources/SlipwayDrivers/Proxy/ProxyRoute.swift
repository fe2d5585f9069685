/// One route of Caddy in front of an instance: requests for its host names go to one upstream, the
/// instance's active colour (`127.0.0.1:PORT` on the server). Its id names it in Caddy's configuration
/// (`@id`), so the upstream can be switched in place.
public struct ProxyRoute: Sendable, Equatable {
    public var id: String
    /// The host names the route answers; each a DNS name or an IP address, no port, no wildcard but a
    /// leading `*.`.
    public var hosts: [String]
    /// `HOST:PORT` Caddy dials, like `127.0.0.1:32768`.
    public var upstream: String

    public init(id: String, hosts: [String], upstream: String) {
        self.id = id
        self.hosts = hosts
        self.upstream = upstream
    }
}
