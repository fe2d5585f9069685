import Foundation

extension DockerClient {
    /// Creates a named volume carrying `labels`, which must name the instance. The engine hands back an
    /// existing volume of that name instead of failing, so a name already taken by a volume Slipway does not
    /// manage, or by another instance's, throws `conflict` rather than being adopted.
    @discardableResult
    public func createVolume(
        _ name: String, labels: SlipwayLabels, driver: String = "local", driverOptions: [String: String] = [:]
    ) async throws -> VolumeDetails {
        let operation = "create volume \(name)"
        let wanted = try labels.instanceDictionary(operation: operation)
        struct Body: Encodable {
            let name: String
            let driver: String
            let driverOptions: [String: String]
            let labels: [String: String]
            enum CodingKeys: String, CodingKey {
                case name = "Name"
                case driver = "Driver"
                case driverOptions = "DriverOpts"
                case labels = "Labels"
            }
        }
        let body = Body(name: name, driver: driver, driverOptions: driverOptions, labels: wanted)
        let volume: VolumeDetails = try await json(DockerRequest(.post, "/volumes/create", json: body))
        guard volume.labels == wanted else {
            throw DockerError(
                .conflict, message: "a volume named \(name) already exists with other labels", status: 409,
                operation: operation)
        }
        return volume
    }

    /// A volume by name.
    public func inspectVolume(_ name: String) async throws -> VolumeDetails {
        try await json(DockerRequest(.get, "/volumes/\(DockerRequest.segment(name))"))
    }

    /// Slipway's volumes, narrowed by `selector`.
    public func listVolumes(matching selector: SlipwayLabels.Selector = .all) async throws -> [VolumeDetails] {
        struct Answer: Decodable {
            let volumes: [VolumeDetails]?
            enum CodingKeys: String, CodingKey { case volumes = "Volumes" }
        }
        let answer: Answer = try await json(
            DockerRequest(.get, "/volumes", query: [("filters", try selector.filters())]))
        return answer.volumes ?? []
    }

    /// Removes one of Slipway's volumes; throws `conflict` while a container uses it.
    public func removeVolume(_ name: String, force: Bool = false) async throws {
        let volume = try await inspectVolume(name)
        try requireManaged(volume.labels, "volume \(name)", operation: "remove volume \(name)")
        _ = try await data(
            DockerRequest(
                .delete, "/volumes/\(DockerRequest.segment(volume.name))", query: [("force", force ? "1" : "0")]))
    }

    /// Removes Slipway's volumes that no container uses, narrowed by `selector`; others are never touched.
    public func pruneVolumes(matching selector: SlipwayLabels.Selector = .all) async throws -> PruneReport {
        struct Answer: Decodable {
            let deleted: [String]?
            let spaceReclaimed: Int64?
            enum CodingKeys: String, CodingKey {
                case deleted = "VolumesDeleted"
                case spaceReclaimed = "SpaceReclaimed"
            }
        }
        let answer: Answer = try await json(
            DockerRequest(.post, "/volumes/prune", query: [("filters", try selector.filters())]))
        return PruneReport(deleted: answer.deleted ?? [], spaceReclaimed: answer.spaceReclaimed ?? 0)
    }
}
