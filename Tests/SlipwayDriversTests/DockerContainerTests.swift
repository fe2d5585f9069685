import Foundation
import SlipwayDrivers
import SlipwayTesting
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

@Suite("Docker containers: create, find, inspect, exec, stop, wait, remove", .tags(.docker))
struct DockerContainerTests {
    @Test("a container made with labels, env, port, volume, restart policy and health check lives its whole life")
    func lifecycle() async throws {
        try await DockerTestContext.run { docker in
            let client = docker.client
            let network = DockerTestEngine.uniqueName("net")
            try await client.createNetwork(network, labels: docker.environmentLabels)
            let volume = DockerTestEngine.uniqueName("data")
            let name = DockerTestEngine.uniqueName("app")
            // PID 1 ignores SIGTERM, so only the stop timeout's SIGKILL ends it.
            let spec = ContainerSpec(
                name: name, image: DockerTestEngine.baseImage,
                command: ["sh", "-c", "trap '' TERM; while true; do sleep 1; done"],
                environment: ["GREETING": "hello world", "TRICKY": "it's $HOME; `id`"],
                ports: [.init(containerPort: 8080)], mounts: [.volume(name: volume, target: "/data")],
                networks: [.init(network: network, aliases: ["app"])],
                restartPolicy: .onFailure(maximumRetries: 2),
                healthCheck: .init(command: ["test", "-d", "/data"], interval: .seconds(1), timeout: .seconds(2)))
            let id = try await client.createContainer(spec, labels: docker.labels)
            try await client.startContainer(name)

            // Found again by its labels, and not by another instance's.
            #expect(try await client.listContainers(matching: docker.selector).map(\.id) == [id])
            let other = SlipwayLabels.Selector(instanceId: DockerTestEngine.uniqueName("ins"))
            #expect(try await client.listContainers(matching: other).isEmpty)

            let details = try await client.inspectContainer(id)
            #expect(details.name == "/\(name)")
            #expect(details.state.running)
            #expect(details.config.labels?[SlipwayLabels.instanceKey] == docker.labels.instanceId)
            #expect(details.config.labels?[SlipwayLabels.organizationKey] == docker.labels.organizationId)
            #expect(details.config.environment?.contains("TRICKY=it's $HOME; `id`") == true)
            #expect(details.config.exposedPorts == ["8080/tcp"])
            #expect(details.hostConfig.restartPolicy?.name == "on-failure")
            #expect(details.hostConfig.restartPolicy?.maximumRetryCount == 2)
            #expect(details.config.healthCheck?.test == ["CMD", "test", "-d", "/data"])
            #expect(details.config.healthCheck?.interval == 1_000_000_000)
            #expect(details.mounts?.first { $0.destination == "/data" }?.name == volume)
            #expect(details.networkSettings?.networks?[network]?.aliases?.contains("app") == true)
            let published = try #require(details.networkSettings?.ports?["8080/tcp"] ?? nil)
            #expect(published.first?.hostAddress == "127.0.0.1")
            let hostPort = try #require(published.first.flatMap { Int($0.hostPort) })

            // The volume the engine made on the fly carries the container's labels.
            let madeVolume = try await client.inspectVolume(volume)
            #expect(madeVolume.labels?[SlipwayLabels.instanceKey] == docker.labels.instanceId)
            #expect(try await client.listVolumes(matching: docker.selector).map(\.name) == [volume])

            // exec: exit code and both streams; the environment arrives byte for byte.
            let failed = try await client.exec(id, command: ["sh", "-c", "echo to-out; echo to-err >&2; exit 3"])
            #expect(failed.exitCode == 3)
            #expect(failed.stdout == "to-out")
            #expect(failed.stderr == "to-err")
            let printed = try await client.exec(id, command: ["env"])
            #expect(printed.exitCode == 0)
            #expect(printed.output.contains(OutputLine(.stdout, "TRICKY=it's $HOME; `id`")), "\(printed)")

            // The published port really reaches the container.
            let page = "page-\(name)"
            let served = try await client.exec(
                id, command: ["sh", "-c", "mkdir -p /www && echo \(page) > /www/index.html && httpd -p 8080 -h /www"])
            #expect(served.exitCode == 0, "\(served)")
            let url = try #require(URL(string: "http://127.0.0.1:\(hostPort)/index.html"))
            let (body, _) = try await URLSession.shared.data(from: url)
            #expect(String(decoding: body, as: UTF8.self) == page + "\n")

            #expect(
                try await eventually {
                    try await client.inspectContainer(id).state.health?.status == "healthy"
                })

            let clock = ContinuousClock()
            let started = clock.now
            try await client.stopContainer(id, timeout: .seconds(1))
            let took = clock.now - started
            #expect(took >= .milliseconds(900) && took < .seconds(8), "stop took \(took)")
            #expect(try await client.waitForContainer(id, timeout: .seconds(10)) == 137)
            #expect(try await client.inspectContainer(id).state.running == false)

            try await client.removeContainer(id)
            let gone = await #expect(throws: DockerError.self) { try await client.inspectContainer(id) }
            #expect(gone?.kind == .notFound)
            #expect(try await client.listContainers(matching: docker.selector).isEmpty)
        }
    }

    @Test("logs stream stdout and stderr lines apart, following until the container exits")
    func logs() async throws {
        try await DockerTestContext.run { docker in
            let script = """
                echo out-1; echo err-1 >&2; printf 'out-'; sleep 0.3; echo 2; echo err-2 >&2; sleep 0.3
                printf 'no newline at the end' >&2
                """
            let id = try await docker.client.createContainer(
                ContainerSpec(image: DockerTestEngine.baseImage, command: ["sh", "-c", script]), labels: docker.labels)
            try await docker.client.startContainer(id)
            let followed = try await docker.client.logs(id, follow: true).collect()
            #expect(followed.filter { $0.stream == .stdout }.map(\.text) == ["out-1", "out-2"])
            // The engine may end a followed stream before it stores an unterminated last line.
            #expect(followed.filter { $0.stream == .stderr }.map(\.text).prefix(2) == ["err-1", "err-2"])
            #expect(try await docker.client.waitForContainer(id, timeout: .seconds(10)) == 0)

            let all = try await docker.client.logs(id).collect()
            #expect(all.filter { $0.stream == .stdout }.map(\.text) == ["out-1", "out-2"])
            #expect(all.filter { $0.stream == .stderr }.map(\.text) == ["err-1", "err-2", "no newline at the end"])

            let last = try await docker.client.logs(id, tail: 1).collect()
            #expect(last == [OutputLine(.stderr, "no newline at the end")])
        }
    }

    @Test("a wait that outlives its deadline throws timedOut; a missing image is notFound")
    func waitDeadline() async throws {
        try await DockerTestContext.run { docker in
            let id = try await docker.client.createContainer(
                ContainerSpec(image: DockerTestEngine.baseImage, command: ["sleep", "30"]), labels: docker.labels)
            try await docker.client.startContainer(id)
            let error = await #expect(throws: DockerError.self) {
                try await docker.client.waitForContainer(id, timeout: .milliseconds(300))
            }
            #expect(error?.kind == .timedOut)
            let missing = await #expect(throws: DockerError.self) {
                try await docker.client.createContainer(
                    ContainerSpec(image: DockerTestEngine.uniqueName("no-such-image")), labels: docker.labels)
            }
            #expect(missing?.kind == .notFound)
        }
    }
}
