import Foundation

/// Caddy's admin API on a server's loopback: the proxy in front of every instance. Slipway keeps the
/// admin listener in every configuration it loads (a configuration without `admin` would move the API
/// back to Caddy's default address).
public struct CaddyAdminClient: Sendable {
    let http: ServiceHTTPClient
    /// The admin API's port on the server's loopback.
    public let adminPort: Int

    public init(endpoint: ServiceEndpoint, adminPort: Int) {
        self.adminPort = adminPort
        // A new connection per request: Caddy may restart its admin server when it loads a configuration,
        // closing a kept-alive connection just as the next request goes out on it (seen: connection reset).
        http = ServiceHTTPClient(endpoint: endpoint, hostHeader: "127.0.0.1:\(adminPort)", closesConnection: true)
    }

    /// The configuration Caddy runs with (`GET /config/`), as JSON; `null` when it has none.
    public func configuration() async throws -> Data {
        try await http.expectSuccess(.GET, "/config/").body
    }

    /// The smallest configuration Slipway starts Caddy with: the admin API on the loopback port, nothing served.
    public static func initialConfiguration(adminPort: Int) -> Data {
        Data(#"{"admin":{"listen":"127.0.0.1:\#(adminPort)"}}"#.utf8)
    }

    /// The unix socket the switching Caddy (the one with the admin API and the routes) serves HTTP on, in the
    /// volume it shares with the edge; as a Caddy listen or dial address it is `unix/` + this path.
    public static let switchSocket = "/run/slipway-proxy/switch.sock"

    /// The edge's whole configuration, which never changes: on `listen` (like `:80`), every request goes to
    /// the switching Caddy's socket, on a new connection each time. A route change reloads the switching
    /// Caddy, and a reloading Caddy closes its idle keep-alive connections: the clients' connections stay
    /// with the edge, which is never reloaded, so a request is never sent on a connection being closed.
    public static func edgeConfiguration(listen: String) -> Data {
        let configuration: [String: Any] = [
            "admin": ["disabled": true],
            "apps": [
                "http": [
                    "servers": [
                        "edge": [
                            "listen": [listen], "automatic_https": ["disable": true],
                            "routes": [
                                [
                                    "handle": [
                                        [
                                            "handler": "reverse_proxy",
                                            "transport": ["protocol": "http", "keep_alive": ["enabled": false]],
                                            "upstreams": [["dial": "unix/" + switchSocket]],
                                        ]
                                    ]
                                ]
                            ],
                        ]
                    ]
                ]
            ],
        ]
        return (try? JSONSerialization.data(withJSONObject: configuration, options: [.sortedKeys])) ?? Data()
    }

    /// Checks the admin API answers and listens where Slipway put it.
    public func ping() async throws {
        struct Config: Decodable {
            struct Admin: Decodable { let listen: String? }
            let admin: Admin?
        }
        let body = try await configuration()
        let listen = (try? JSONDecoder().decode(Config.self, from: body))?.admin?.listen
        guard listen == "127.0.0.1:\(adminPort)" else {
            throw ServiceHTTPError(
                message:
                    "Caddy's admin API answers but listens on \(listen ?? "its default address"), not 127.0.0.1:\(adminPort)",
                status: nil)
        }
    }
}
