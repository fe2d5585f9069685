import Foundation
import SlipwayDrivers
import SlipwayTesting
import Testing

extension Tag {
    /// Tests that need a real Docker engine (see `DockerTestEngine`).
    @Tag static var docker: Self
}

/// One test's view of the engine: a client, labels with fresh ids, and cleanup of everything those
/// labels mark, whatever the test left behind.
struct DockerTestContext: Sendable {
    let client: DockerClient
    let socketPath: String
    let labels: SlipwayLabels

    /// Only this test's objects (the ids of ``labels`` are fresh for each test).
    var selector: SlipwayLabels.Selector { SlipwayLabels.Selector(environmentId: labels.environmentId) }

    /// Runs `body` with a fresh context, then removes every container, network, volume and image carrying
    /// this test's labels, also when `body` throws.
    static func run<Value: Sendable>(_ body: (DockerTestContext) async throws -> Value) async throws -> Value {
        let socketPath = try await DockerTestEngine.socketPath()
        let context = DockerTestContext(
            client: DockerClient(endpoint: .unixSocket(socketPath)), socketPath: socketPath,
            labels: DockerTestEngine.labels())
        do {
            let value = try await body(context)
            try await context.cleanUp()
            return value
        } catch {
            try? await context.cleanUp()
            throw error
        }
    }

    func cleanUp() async throws {
        for container in try await client.listContainers(matching: selector) {
            try await client.removeContainer(container.id, force: true, removeVolumes: true)
        }
        for network in try await client.listNetworks(matching: selector) {
            try await client.removeNetwork(network.id)
        }
        for volume in try await client.listVolumes(matching: selector) {
            try await client.removeVolume(volume.name, force: true)
        }
        for image in try await client.listImages(matching: selector) {
            try await client.removeImage(image.id, force: true)
        }
    }

    /// Labels of this test without the instance (for networks shared by an environment).
    var environmentLabels: SlipwayLabels {
        var labels = labels
        labels.instanceId = nil
        return labels
    }

    /// A request that bypasses the client, for objects Slipway must not own and for second-path checks.
    func raw(_ method: String, _ path: String, json: String? = nil) throws -> (status: Int, body: String) {
        let answer = try DockerTestEngine.rawRequest(
            method, path, body: json.map { Data($0.utf8) }, socketPath: socketPath)
        return (answer.status, String(decoding: answer.body, as: UTF8.self))
    }

    /// Labels that look like this test's but lack `io.slipway.managed=true`, as JSON.
    var foreignLabelsJSON: String {
        #"{"\#(SlipwayLabels.environmentKey)": "\#(labels.environmentId)", "purpose": "not-slipway"}"#
    }
}

/// Polls `condition` every 100 ms until it holds or `timeout` passes; returns whether it held.
func eventually(
    timeout: Duration = .seconds(15), _ condition: () async throws -> Bool
) async throws -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if try await condition() {
            return true
        }
        try await Task.sleep(for: .milliseconds(100))
    }
    return try await condition()
}
