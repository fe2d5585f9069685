import Foundation

extension DockerClient {
    /// Unpacks `archive` into one of Slipway's containers at `directory` (which must exist in the
    /// container), before or after it starts: how a generated configuration file reaches a container
    /// without a bind mount of a server path.
    public func copyIntoContainer(_ container: String, archive: TarArchive, directory: String = "/") async throws {
        let id = try await managedContainerId(container, operation: "copy into")
        var request = DockerRequest(
            .put, "/containers/\(id)/archive", query: [("path", directory)], body: archive.bytes)
        request.contentType = "application/x-tar"
        _ = try await data(request)
    }
}
