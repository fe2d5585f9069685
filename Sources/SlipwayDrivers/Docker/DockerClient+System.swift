import Foundation

extension DockerClient {
    /// Whether the engine answers `GET /_ping` with `OK`.
    public func ping() async throws -> Bool {
        let (_, body) = try await data(DockerRequest(.get, "/_ping"))
        return String(decoding: body, as: UTF8.self) == "OK"
    }

    /// The engine's version and the API versions it speaks.
    public func version() async throws -> DockerVersion {
        try await json(DockerRequest(.get, "/version"))
    }

    /// Facts about the engine and its machine: OS, kernel, CPUs, memory, storage driver, counts.
    public func info() async throws -> DockerSystemInfo {
        try await json(DockerRequest(.get, "/info"))
    }
}
