import Foundation

extension DockerClient {
    /// What ``waitForContainer(_:until:timeout:)`` waits for.
    public enum WaitCondition: String, Sendable {
        /// The container is not running (it may already have stopped).
        case notRunning = "not-running"
        /// The container's next exit.
        case nextExit = "next-exit"
        /// The container was removed.
        case removed
    }

    /// Creates a container (not started) carrying `labels`, which must name the instance, and joins it to
    /// every network of the spec. Returns its id. If joining a network fails the container is removed again.
    @discardableResult
    public func createContainer(_ spec: ContainerSpec, labels: SlipwayLabels) async throws -> String {
        let operation = "create container \(spec.name ?? spec.image)"
        let body = ContainerCreateBody(spec, labels: try labels.instanceDictionary(operation: operation))
        struct Created: Decodable {
            let id: String
            enum CodingKeys: String, CodingKey { case id = "Id" }
        }
        let query = spec.name.map { [("name", $0)] } ?? []
        let created: Created = try await json(DockerRequest(.post, "/containers/create", query: query, json: body))
        do {
            for attachment in spec.networks.dropFirst() {
                try await connect(container: created.id, to: attachment)
            }
        } catch {
            // Nothing half-made is left behind.
            _ = try? await data(
                DockerRequest(.delete, "/containers/\(created.id)", query: [("force", "1"), ("v", "1")]))
            throw error
        }
        return created.id
    }

    /// A container's configuration and state, by id or name.
    public func inspectContainer(_ container: String) async throws -> ContainerDetails {
        try await json(DockerRequest(.get, "/containers/\(DockerRequest.segment(container))/json"))
    }

    /// Slipway's containers, running or not, narrowed by `selector`.
    public func listContainers(matching selector: SlipwayLabels.Selector = .all) async throws -> [ContainerSummary] {
        try await json(
            DockerRequest(.get, "/containers/json", query: [("all", "1"), ("filters", try selector.filters())]))
    }

    /// Starts one of Slipway's containers; starting a running one does nothing.
    public func startContainer(_ container: String) async throws {
        let id = try await managedContainerId(container, operation: "start")
        _ = try await data(DockerRequest(.post, "/containers/\(id)/start"))
    }

    /// Stops one of Slipway's containers: SIGTERM, then SIGKILL after `timeout`. Stopping a stopped one
    /// does nothing.
    public func stopContainer(_ container: String, timeout: Duration = .seconds(10)) async throws {
        let id = try await managedContainerId(container, operation: "stop")
        let seconds = max(0, Int((Double(timeout.nanoseconds) / 1e9).rounded(.up)))
        var request = DockerRequest(.post, "/containers/\(id)/stop", query: [("t", String(seconds))])
        request.extraTime = timeout
        _ = try await data(request)
    }

    /// Removes one of Slipway's containers; `force` kills it first if it runs; `removeVolumes` also
    /// removes its anonymous volumes (named volumes stay).
    public func removeContainer(_ container: String, force: Bool = false, removeVolumes: Bool = false) async throws {
        let id = try await managedContainerId(container, operation: "remove")
        let query = [("force", force ? "1" : "0"), ("v", removeVolumes ? "1" : "0")]
        _ = try await data(DockerRequest(.delete, "/containers/\(id)", query: query))
    }

    /// Waits until the container reaches `condition` and returns its exit code; throws `timedOut` after
    /// `timeout` (the wait is then abandoned, the container left as it is).
    public func waitForContainer(
        _ container: String, until condition: WaitCondition = .notRunning, timeout: Duration
    ) async throws -> Int {
        struct Answer: Decodable {
            struct Failure: Decodable {
                let message: String?
                enum CodingKeys: String, CodingKey { case message = "Message" }
            }
            let statusCode: Int
            let error: Failure?
            enum CodingKeys: String, CodingKey {
                case statusCode = "StatusCode"
                case error = "Error"
            }
        }
        var request = DockerRequest(
            .post, "/containers/\(DockerRequest.segment(container))/wait", query: [("condition", condition.rawValue)])
        // The engine sends the answer's head at once and the body at the exit; the deadline below bounds both.
        request.extraTime = timeout
        let answer: Answer = try await withDockerDeadline(timeout, operation: request.operation) { [request] in
            try await json(request)
        }
        if let message = answer.error?.message, !message.isEmpty {
            throw DockerError(.engineError, message: message, operation: request.operation)
        }
        return answer.statusCode
    }

    /// Removes Slipway's stopped containers narrowed by `selector`; others are never touched.
    public func pruneContainers(matching selector: SlipwayLabels.Selector = .all) async throws -> PruneReport {
        struct Answer: Decodable {
            let deleted: [String]?
            let spaceReclaimed: Int64?
            enum CodingKeys: String, CodingKey {
                case deleted = "ContainersDeleted"
                case spaceReclaimed = "SpaceReclaimed"
            }
        }
        let answer: Answer = try await json(
            DockerRequest(.post, "/containers/prune", query: [("filters", try selector.filters())]))
        return PruneReport(deleted: answer.deleted ?? [], spaceReclaimed: answer.spaceReclaimed ?? 0)
    }

    /// The id of a container after checking it carries the managed label; later calls use the id, so a
    /// name taken over in between cannot redirect them.
    func managedContainerId(_ container: String, operation: String) async throws -> String {
        let details = try await inspectContainer(container)
        try requireManaged(details.config.labels, "container \(container)", operation: "\(operation) \(container)")
        return details.id
    }
}
