import Foundation

/// Docker's registry on a server's loopback, where deployments push the images they build so a
/// rollback runs exactly the image it names by digest. Images are pushed by the engine, not by this
/// client; it checks that the registry answers and lists what it holds.
public struct RegistryClient: Sendable {
    let http: ServiceHTTPClient

    /// - Parameters:
    ///   - endpoint: How to reach the registry's `127.0.0.1:port` on the server.
    ///   - port: The registry's port on the server's loopback (the `Host` it is addressed by).
    public init(endpoint: ServiceEndpoint, port: Int) {
        http = ServiceHTTPClient(endpoint: endpoint, hostHeader: "127.0.0.1:\(port)")
    }

    /// Checks the registry speaks the registry API v2 (`GET /v2/` answers 200 with its version header).
    public func ping() async throws {
        let answer = try await http.expectSuccess(.GET, "/v2/")
        guard answer.headers.contains(where: { $0.0.lowercased() == "docker-distribution-api-version" }) else {
            throw ServiceHTTPError(
                message: "what answers on the registry's port is not a Docker registry (no API version header)",
                status: answer.status)
        }
    }

    /// The repositories the registry holds.
    public func repositories() async throws -> [String] {
        struct Catalog: Decodable { let repositories: [String]? }
        let answer = try await http.expectSuccess(.GET, "/v2/_catalog")
        return try JSONDecoder().decode(Catalog.self, from: answer.body).repositories ?? []
    }
}
