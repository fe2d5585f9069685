import Foundation

extension DockerClient {
    /// A container's output as lines tagged stdout or stderr, taken apart from the engine's multiplexed
    /// stream (or read as is for a TTY container).
    ///
    /// - Parameters:
    ///   - follow: Keep streaming new lines until the container stops (or the iterating task is cancelled).
    ///   - tail: Only the last lines; nil for all.
    ///   - since: Only lines written at or after this moment.
    public func logs(
        _ container: String, follow: Bool = false, tail: Int? = nil, since: Date? = nil
    ) async throws -> ContainerLogStream {
        let details = try await inspectContainer(container)
        var query = [("stdout", "1"), ("stderr", "1"), ("follow", follow ? "1" : "0")]
        if let tail {
            query.append(("tail", String(max(0, tail))))
        }
        if let since {
            query.append(("since", String(format: "%.9f", since.timeIntervalSince1970)))
        }
        let request = DockerRequest(.get, "/containers/\(details.id)/logs", query: query)
        let body = try await stream(request)
        return ContainerLogStream(body: body, tty: details.config.tty ?? false, operation: "logs \(container)")
    }
}
