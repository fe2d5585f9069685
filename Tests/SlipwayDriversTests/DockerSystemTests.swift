import Foundation
import SlipwayDrivers
import SlipwayTesting
import Testing

@Suite("Docker engine: version, info, errors", .tags(.docker))
struct DockerSystemTests {
    @Test("version and info describe the engine and its machine")
    func versionAndInfo() async throws {
        let client = try await DockerTestEngine.client()
        #expect(try await client.ping())
        let version = try await client.version()
        #expect(!version.version.isEmpty)
        let api = version.apiVersion.split(separator: ".").compactMap { Int($0) }
        #expect(api.count == 2 && (api[0], api[1]) >= (1, 41), "engine speaks API \(version.apiVersion)")
        #expect(version.operatingSystem == "linux")
        let info = try await client.info()
        #expect(info.osType == "linux")
        #expect(info.cpuCount > 0)
        #expect(info.memoryBytes > 0)
        #expect(!info.storageDriver.isEmpty)
        #expect(info.serverVersion == version.version)
    }

    @Test("the engine's 404 becomes notFound with its message and status")
    func notFound() async throws {
        let client = try await DockerTestEngine.client()
        let name = DockerTestEngine.uniqueName("missing")
        let error = try await #require(throws: DockerError.self) { try await client.inspectContainer(name) }
        #expect(error.kind == .notFound)
        #expect(error.status == 404)
        #expect(error.message.contains("No such container"), "\(error)")
        #expect(error.operation.contains("/containers/"))
        let volume = try await #require(throws: DockerError.self) { try await client.removeVolume(name) }
        #expect(volume.kind == .notFound)
    }

    @Test("a socket nobody listens on is unreachable, not a crash or a hang")
    func unreachable() async throws {
        let client = DockerClient(endpoint: .unixSocket("/tmp/\(DockerTestEngine.uniqueName("nothing")).sock"))
        let error = try await #require(throws: DockerError.self) { try await client.version() }
        #expect(error.kind == .unreachable)
    }
}
