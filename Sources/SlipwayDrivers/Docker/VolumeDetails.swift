/// A volume as the engine describes it (`GET /volumes/{name}`).
public struct VolumeDetails: Codable, Sendable, Equatable {
    public var name: String
    /// `local` unless a plugin was asked for.
    public var driver: String
    /// Where the data lives on the server.
    public var mountpoint: String
    public var labels: [String: String]?
    public var scope: String?
    public var createdAt: String?

    enum CodingKeys: String, CodingKey {
        case name = "Name"
        case driver = "Driver"
        case mountpoint = "Mountpoint"
        case labels = "Labels"
        case scope = "Scope"
        case createdAt = "CreatedAt"
    }
}
