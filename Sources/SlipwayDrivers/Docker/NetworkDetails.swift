/// A network as the engine describes it (`GET /networks/{id}`).
public struct NetworkDetails: Codable, Sendable, Equatable {
    /// A container joined to the network.
    public struct Member: Codable, Sendable, Equatable {
        public var name: String
        /// Like `172.18.0.2/16`.
        public var ipv4Address: String?

        enum CodingKeys: String, CodingKey {
            case name = "Name"
            case ipv4Address = "IPv4Address"
        }
    }

    public var id: String
    public var name: String
    /// `bridge` for a network on one server.
    public var driver: String
    public var scope: String?
    /// Whether containers on it are cut off from outside the server.
    public var `internal`: Bool?
    public var labels: [String: String]?
    /// The containers joined, by container id (filled in by inspect, empty in lists).
    public var containers: [String: Member]?

    enum CodingKeys: String, CodingKey {
        case id = "Id"
        case name = "Name"
        case driver = "Driver"
        case scope = "Scope"
        case `internal` = "Internal"
        case labels = "Labels"
        case containers = "Containers"
    }
}
