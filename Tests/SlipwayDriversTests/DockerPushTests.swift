import Foundation
import SlipwayDrivers
import SlipwayTesting
import Testing

@Suite("Docker push to a registry", .tags(.docker))
struct DockerPushTests {
    @Test("an image pushed to a loopback registry is listed in its catalog; a dead registry fails the push")
    func push() async throws {
        try await DockerTestRegistry.with { registry in
            try await DockerTestContext.run { docker in
                var context = TarArchive()
                try context.addFile("Dockerfile", text: "FROM \(DockerTestEngine.baseImage)\nCOPY note.txt /\n")
                try context.addFile("note.txt", text: docker.labels.instanceId ?? "")
                let path = "slipway-test/" + DockerTestEngine.uniqueName("push")
                let repository = "\(registry)/\(path)"
                _ = try await docker.client.buildImage(
                    context: context, tags: ["\(repository):v1"], labels: docker.labels
                ).collect()

                let progress = try await docker.client.pushImage(repository, tag: "v1").collect()
                let digests = progress.compactMap { $0.aux?.digest }
                let digest = try #require(digests.last)
                #expect(digest.hasPrefix("sha256:"))
                #expect(progress.contains { $0.status == "Pushed" })

                let catalog = try await DockerTestRegistry.get(registry, "/v2/_catalog")
                #expect(catalog.status == 200)
                #expect(catalog.body.contains("\"\(path)\""), "\(catalog.body)")
                let tags = try await DockerTestRegistry.get(registry, "/v2/\(path)/tags/list")
                #expect(tags.body.contains("\"v1\""), "\(tags.body)")

                // Nothing listens on this port, held bound (not listening) so no other test takes it meanwhile:
                // the engine reports the failure inside the stream.
                let held = try LoopbackSocket.bound()
                defer { close(held.descriptor) }
                let dead = "127.0.0.1:\(held.port)/\(path)"
                try await docker.client.tagImage("\(repository):v1", repository: dead, tag: "v1")
                let stream = try await docker.client.pushImage(dead, tag: "v1")
                let error = await #expect(throws: DockerError.self) { _ = try await stream.collect() }
                #expect(error?.kind == .pushFailed)
                #expect(error?.message.contains("connection refused") == true, "\(String(describing: error))")
            }
        }
    }
}
