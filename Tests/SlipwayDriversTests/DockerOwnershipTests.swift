import Foundation
import SlipwayDrivers
import SlipwayTesting
import Testing

/// Volumes and networks by label, and the rule behind every call: what Slipway did not create (no
/// `io.slipway.managed=true`), it never touches, even when its other labels look like ours.
@Suite("Docker volumes, networks, and objects Slipway does not own", .tags(.docker))
struct DockerOwnershipTests {
    @Test("volumes are created with labels, listed by label, and a taken name is not adopted")
    func volumes() async throws {
        try await DockerTestContext.run { docker in
            let name = DockerTestEngine.uniqueName("vol")
            let volume = try await docker.client.createVolume(name, labels: docker.labels)
            #expect(volume.labels?[SlipwayLabels.projectKey] == docker.labels.projectId)
            #expect(try await docker.client.listVolumes(matching: docker.selector).map(\.name) == [name])
            // The engine answers an existing name with the existing volume: same labels is idempotent,
            // other labels is a conflict.
            #expect(try await docker.client.createVolume(name, labels: docker.labels).name == name)
            let conflict = await #expect(throws: DockerError.self) {
                try await docker.client.createVolume(name, labels: DockerTestEngine.labels())
            }
            #expect(conflict?.kind == .conflict)
            var noInstance = docker.labels
            noInstance.instanceId = nil
            let invalid = await #expect(throws: DockerError.self) {
                try await docker.client.createVolume(DockerTestEngine.uniqueName("vol"), labels: noInstance)
            }
            #expect(invalid?.kind == .invalidRequest)

            try await docker.client.removeVolume(name)
            #expect(try await docker.client.listVolumes(matching: docker.selector).isEmpty)
        }
    }

    @Test("networks are created with labels, containers connect and disconnect, removal cleans up")
    func networks() async throws {
        try await DockerTestContext.run { docker in
            let name = DockerTestEngine.uniqueName("net")
            let id = try await docker.client.createNetwork(name, labels: docker.environmentLabels, internal: true)
            #expect(try await docker.client.listNetworks(matching: docker.selector).map(\.id) == [id])
            let taken = await #expect(throws: DockerError.self) {
                try await docker.client.createNetwork(name, labels: docker.environmentLabels)
            }
            #expect(taken?.kind == .conflict)

            let container = try await docker.client.createContainer(
                ContainerSpec(image: DockerTestEngine.baseImage, command: ["sleep", "30"]), labels: docker.labels)
            try await docker.client.startContainer(container)
            try await docker.client.connectContainer(container, toNetwork: name, aliases: ["db"])
            let joined = try await docker.client.inspectNetwork(name)
            #expect(joined.internal == true)
            #expect(joined.containers?.keys.contains(container) == true)
            let details = try await docker.client.inspectContainer(container)
            #expect(details.networkSettings?.networks?[name]?.aliases?.contains("db") == true)
            let busy = await #expect(throws: DockerError.self) { try await docker.client.removeNetwork(name) }
            #expect(busy?.kind == .conflict, "\(String(describing: busy))")
            try await docker.client.disconnectContainer(container, fromNetwork: name)
            #expect(try await docker.client.inspectContainer(container).networkSettings?.networks?[name] == nil)
            try await docker.client.removeNetwork(name)
            #expect(try await docker.client.listNetworks(matching: docker.selector).isEmpty)
        }
    }

    @Test("prune and remove never touch a container, volume, network or image without the managed label")
    func foreignObjectsAreNeverTouched() async throws {
        try await DockerTestContext.run { docker in
            let client = docker.client
            let labels = docker.foreignLabelsJSON
            let foreign = DockerTestEngine.uniqueName("foreign")
            let image = DockerTestEngine.baseImage
            #expect(
                try docker.raw("POST", "/volumes/create", json: #"{"Name":"\#(foreign)","Labels":\#(labels)}"#).status
                    == 201)
            #expect(
                try docker.raw("POST", "/networks/create", json: #"{"Name":"\#(foreign)","Labels":\#(labels)}"#).status
                    == 201)
            let created = try docker.raw(
                "POST", "/containers/create?name=\(foreign)",
                json: #"{"Image":"\#(image)","Cmd":["true"],"Labels":\#(labels)}"#)
            #expect(created.status == 201, "\(created.body)")
            defer {
                _ = try? docker.raw("DELETE", "/containers/\(foreign)?force=1")
                _ = try? docker.raw("DELETE", "/volumes/\(foreign)")
                _ = try? docker.raw("DELETE", "/networks/\(foreign)")
            }
            // Slipway's own, unused and stopped, next to them: prune must take exactly these.
            let ours = DockerTestEngine.uniqueName("ours")
            try await client.createVolume(ours, labels: docker.labels)
            let network = try await client.createNetwork(ours, labels: docker.environmentLabels)
            let container = try await client.createContainer(
                ContainerSpec(name: ours, image: image, command: ["true"]), labels: docker.labels)

            #expect(try await client.listContainers(matching: docker.selector).map(\.id) == [container])
            #expect(try await client.listVolumes(matching: docker.selector).map(\.name) == [ours])
            #expect(try await client.listNetworks(matching: docker.selector).map(\.id) == [network])

            let attempts: [() async throws -> Void] = [
                { try await client.removeContainer(foreign, force: true) },
                { try await client.stopContainer(foreign) },
                { try await client.startContainer(foreign) },
                { _ = try await client.exec(foreign, command: ["true"]) },
                { try await client.removeVolume(foreign, force: true) },
                { try await client.removeNetwork(foreign) },
            ]
            for attempt in attempts {
                let error = await #expect(throws: DockerError.self) { try await attempt() }
                #expect(error?.kind == .notManaged)
            }

            #expect(try await client.pruneContainers(matching: docker.selector).deleted == [container])
            #expect(try await client.pruneVolumes(matching: docker.selector).deleted == [ours])
            #expect(try await client.pruneNetworks(matching: docker.selector).deleted == [ours])
            #expect(try docker.raw("GET", "/containers/\(foreign)/json").status == 200)
            #expect(try docker.raw("GET", "/volumes/\(foreign)").status == 200)
            #expect(try docker.raw("GET", "/networks/\(foreign)").status == 200)
            #expect(try docker.raw("GET", "/images/\(image)/json").status == 200)
        }
    }
}
