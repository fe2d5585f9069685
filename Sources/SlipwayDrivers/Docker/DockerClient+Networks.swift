import Foundation

extension DockerClient {
    /// Creates a network carrying `labels` and returns its id; throws `conflict` when the name is taken.
    /// `internal` networks have no route out of the server.
    @discardableResult
    public func createNetwork(
        _ name: String, labels: SlipwayLabels, driver: String = "bridge", internal: Bool = false
    ) async throws -> String {
        struct Body: Encodable {
            let name: String
            let driver: String
            let `internal`: Bool
            let labels: [String: String]
            let checkDuplicate = true
            let attachable = true
            enum CodingKeys: String, CodingKey {
                case name = "Name"
                case driver = "Driver"
                case `internal` = "Internal"
                case labels = "Labels"
                case checkDuplicate = "CheckDuplicate"
                case attachable = "Attachable"
            }
        }
        struct Created: Decodable {
            let id: String
            enum CodingKeys: String, CodingKey { case id = "Id" }
        }
        let body = Body(name: name, driver: driver, internal: `internal`, labels: try labels.dictionary())
        let created: Created = try await json(DockerRequest(.post, "/networks/create", json: body))
        return created.id
    }

    /// A network by id or name, with the containers joined to it.
    public func inspectNetwork(_ network: String) async throws -> NetworkDetails {
        try await json(DockerRequest(.get, "/networks/\(DockerRequest.segment(network))"))
    }

    /// Slipway's networks, narrowed by `selector`.
    public func listNetworks(matching selector: SlipwayLabels.Selector = .all) async throws -> [NetworkDetails] {
        try await json(DockerRequest(.get, "/networks", query: [("filters", try selector.filters())]))
    }

    /// Joins one of Slipway's containers to a network, reachable there by `aliases`.
    public func connectContainer(_ container: String, toNetwork network: String, aliases: [String] = []) async throws {
        let id = try await managedContainerId(container, operation: "connect")
        try await connect(container: id, to: ContainerSpec.NetworkAttachment(network: network, aliases: aliases))
    }

    /// Takes one of Slipway's containers off a network.
    public func disconnectContainer(_ container: String, fromNetwork network: String, force: Bool = false) async throws
    {
        let id = try await managedContainerId(container, operation: "disconnect")
        struct Body: Encodable {
            let container: String
            let force: Bool
            enum CodingKeys: String, CodingKey {
                case container = "Container"
                case force = "Force"
            }
        }
        let path = "/networks/\(DockerRequest.segment(network))/disconnect"
        _ = try await data(try DockerRequest(.post, path, json: Body(container: id, force: force)))
    }

    /// Removes one of Slipway's networks; throws `conflict` while containers are joined to it.
    public func removeNetwork(_ network: String) async throws {
        let details = try await inspectNetwork(network)
        try requireManaged(details.labels, "network \(network)", operation: "remove network \(network)")
        _ = try await data(DockerRequest(.delete, "/networks/\(details.id)"))
    }

    /// Removes Slipway's networks that no container uses, narrowed by `selector`; others are never touched.
    public func pruneNetworks(matching selector: SlipwayLabels.Selector = .all) async throws -> PruneReport {
        struct Answer: Decodable {
            let deleted: [String]?
            enum CodingKeys: String, CodingKey { case deleted = "NetworksDeleted" }
        }
        let answer: Answer = try await json(
            DockerRequest(.post, "/networks/prune", query: [("filters", try selector.filters())]))
        return PruneReport(deleted: answer.deleted ?? [], spaceReclaimed: 0)
    }

    func connect(container id: String, to attachment: ContainerSpec.NetworkAttachment) async throws {
        struct Body: Encodable {
            let container: String
            let endpoint: ContainerCreateBody.EndpointSettings
            enum CodingKeys: String, CodingKey {
                case container = "Container"
                case endpoint = "EndpointConfig"
            }
        }
        let body = Body(container: id, endpoint: .init(aliases: attachment.aliases.isEmpty ? nil : attachment.aliases))
        _ = try await data(
            try DockerRequest(.post, "/networks/\(DockerRequest.segment(attachment.network))/connect", json: body))
    }
}
