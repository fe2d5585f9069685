import Crypto
import Foundation
import SlipwayCore
import SlipwayDrivers
import SlipwayEngine
import SlipwayStore
import SlipwayTesting
import Testing

/// Verification that provisions a server over SSH: the registry and Caddy start on its loopback, and
/// its Docker engine is driven through the SSH connection.
@Suite("Server provisioning over SSH", .serialized)
struct ServerProvisioningTests {
    static let secrets = SecretBox(key: SymmetricKey(size: .bits256))
    static let images = ServiceImages(registry: DockerTestEngine.registryImage, proxy: DockerTestEngine.proxyImage)

    /// A server on the test sshd whose engine is the test engine, with free loopback ports for its services.
    static func register(_ store: any Store, _ sshd: SSHTestServer) async throws -> Server {
        let organization = try await JobQueueTests.organization(store)
        let server = Server(
            organizationId: organization.id, name: "provision-\(UUID().uuidString.prefix(8))", host: "127.0.0.1",
            port: sshd.port, user: SSHTestServer.keyUser, authMethod: .privateKey,
            dockerSocketPath: try await DockerTestEngine.socketPath(), registryPort: try LoopbackSocket.freePort(),
            proxyAdminPort: try LoopbackSocket.freePort())
        try await store.createServer(server, encryptedCredential: try secrets.seal(sshd.credentials.ed25519))
        return server
    }

    /// Runs `body`, then removes the services of `server`, also when it throws.
    static func cleaningUp(_ server: Server, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch {
            try? await removeServices(of: server)
            throw error
        }
        try await removeServices(of: server)
    }

    /// Removes the services' containers, volumes and networks of `server` from the test engine (only those).
    static func removeServices(of server: Server) async throws {
        let docker = try await DockerTestEngine.client()
        let selector = SlipwayLabels.Selector(serverId: server.id)
        for container in try await docker.listContainers(matching: selector) {
            try await docker.removeContainer(container.id, force: true, removeVolumes: true)
        }
        for volume in try await docker.listVolumes(matching: selector) {
            try await docker.removeVolume(volume.name, force: true)
        }
        for network in try await docker.listNetworks(matching: selector) {
            try await docker.removeNetwork(network.id)
        }
    }

    @Test("verification starts the registry and Caddy on the loopback; a build over SSH runs and pushes")
    func provisionAndBuild() async throws {
        try await DockerTestEngine.ensureServiceImages()
        let sshd = try await SSHTestServer.shared()
        let connector = SSHServerConnector()
        try await TestStore.with(.sqlite, label: "provision") { store in
            let server = try await Self.register(store, sshd)
            try await Self.cleaningUp(server) {
                let verifier = ServerVerifier(store: store, secrets: Self.secrets, ssh: connector, images: Self.images)
                let job = Job(organizationId: server.organizationId, kind: .serverVerify, subjectId: server.id)
                try await verifier.run(job)
                let verified = try #require(
                    try await store.server(organizationId: server.organizationId, id: server.id))
                #expect(verified.status == .active, "\(verified.statusReason ?? "")")
                let steps = Dictionary(uniqueKeysWithValues: verified.provisioningSteps.map { ($0.name, $0) })
                #expect(steps[.registry]?.status == .completed, "\(steps[.registry]?.output ?? "")")
                #expect(steps[.proxy]?.status == .completed, "\(steps[.proxy]?.output ?? "")")
                #expect(steps[.registry]?.output.contains("created and started") == true)
                #expect(verified.facts?.dockerRunning == true)

                // The engine through the SSH connection: a socket of this machine, not the engine's own.
                let host = try await connector.connect(
                    to: verified, credential: ServerCredential(secret: sshd.credentials.ed25519))
                let forwarded = try await host.socket(reaching: server.dockerSocketPath)
                #expect(forwarded != server.dockerSocketPath)
                let docker = DockerClient(endpoint: .unixSocket(forwarded))

                // Both services listen on the loopback only, where Slipway put them.
                let registryContainer = try await docker.inspectContainer("slipway-registry-\(server.registryPort)")
                #expect(
                    registryContainer.config.environment?.contains(
                        "REGISTRY_HTTP_ADDR=127.0.0.1:\(server.registryPort)") == true)
                #expect(registryContainer.config.labels?[SlipwayLabels.serverKey] == server.id)
                #expect(registryContainer.hostConfig.restartPolicy?.name == "unless-stopped")
                let caddy = CaddyAdminClient(
                    endpoint: try await host.loopback(port: server.proxyAdminPort), adminPort: server.proxyAdminPort)
                try await caddy.ping()
                for address in Self.nonLoopbackAddresses() {
                    #expect(!Self.accepts(address, port: server.registryPort), "registry answers on \(address)")
                    #expect(!Self.accepts(address, port: server.proxyAdminPort), "Caddy's admin answers on \(address)")
                }

                // A build streamed over SSH, line by line, then run, then pushed to the server's registry.
                let labels = DockerTestEngine.labels()
                var context = TarArchive()
                try context.addFile(
                    "Dockerfile",
                    text:
                        "FROM \(DockerTestEngine.baseImage)\nRUN echo built-over-ssh > /built\nCMD [\"cat\", \"/built\"]\n"
                )
                let name = "127.0.0.1:\(server.registryPort)/\(DockerTestEngine.uniqueName("ssh-build"))"
                var lines: [String] = []
                for try await progress in try await docker.buildImage(
                    context: context, tags: ["\(name):v1"], labels: labels)
                {
                    if let line = progress.stream { lines.append(line) }
                }
                #expect(
                    lines.contains { $0.hasPrefix("Step 2/") && $0.hasSuffix(": RUN echo built-over-ssh > /built") },
                    "\(lines)")
                let container = try await docker.createContainer(
                    ContainerSpec(name: DockerTestEngine.uniqueName("ssh-run"), image: "\(name):v1"), labels: labels)
                try await docker.startContainer(container)
                #expect(try await docker.waitForContainer(container, timeout: .seconds(30)) == 0)
                let output = try await docker.logs(container).collect().map(\.text)
                #expect(output == ["built-over-ssh"])
                // Found again by its labels, as the engine stores them.
                let found = try await docker.listContainers(
                    matching: SlipwayLabels.Selector(instanceId: labels.instanceId))
                #expect(found.map(\.id) == [container])

                _ = try await docker.pushImage(name, tag: "v1").collect()
                let registry = RegistryClient(
                    endpoint: try await host.loopback(port: server.registryPort), port: server.registryPort)
                let repository = String(name.split(separator: "/", maxSplits: 1)[1])
                #expect(try await registry.repositories().contains(repository))

                try await docker.removeContainer(container, force: true)
                _ = try await docker.removeImage("\(name):v1", force: true)

                // Verifying again adopts the running services.
                try await verifier.run(job)
                let again = try #require(try await store.server(organizationId: server.organizationId, id: server.id))
                #expect(again.status == .active, "\(again.statusReason ?? "")")
                #expect(
                    again.provisioningSteps.first { $0.name == .registry }?.output.contains("already runs") == true)
            }
        }
        await connector.closeAll()
    }

    @Test("a service image the server lacks and cannot pull fails the step with the fix")
    func missingImage() async throws {
        let sshd = try await SSHTestServer.shared()
        let connector = SSHServerConnector()
        try await TestStore.with(.sqlite, label: "provision") { store in
            let server = try await Self.register(store, sshd)
            try await Self.cleaningUp(server) {
                let images = ServiceImages(
                    registry: "127.0.0.1:1/slipway-missing/registry:none", proxy: Self.images.proxy)
                let verifier = ServerVerifier(store: store, secrets: Self.secrets, ssh: connector, images: images)
                try await verifier.run(
                    Job(organizationId: server.organizationId, kind: .serverVerify, subjectId: server.id))
                let failed = try #require(try await store.server(organizationId: server.organizationId, id: server.id))
                #expect(failed.status == .error)
                #expect(failed.statusReason?.contains("--registry-image") == true, "\(failed.statusReason ?? "")")
                #expect(failed.provisioningSteps.first { $0.name == .registry }?.status == .failed)
                #expect(failed.provisioningSteps.first { $0.name == .proxy }?.status == .skipped)
                let docker = try await DockerTestEngine.client()
                #expect(try await docker.listContainers(matching: SlipwayLabels.Selector(serverId: server.id)).isEmpty)
            }
        }
        await connector.closeAll()
    }

    /// This machine's IPv4 addresses other than loopback.
    static func nonLoopbackAddresses() -> [String] {
        var addresses: [String] = []
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return [] }
        defer { freeifaddrs(list) }
        var cursor = list
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let address = entry.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET) else {
                continue
            }
            var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            guard
                getnameinfo(
                    address, socklen_t(MemoryLayout<sockaddr_in>.size), &host, socklen_t(host.count), nil, 0,
                    NI_NUMERICHOST) == 0
            else { continue }
            let text = String(cString: host)
            if !text.hasPrefix("127.") { addresses.append(text) }
        }
        return addresses
    }

    /// Whether a TCP connection to `address:port` is accepted.
    static func accepts(_ address: String, port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var target = sockaddr_in()
        target.sin_family = sa_family_t(AF_INET)
        target.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, address, &target.sin_addr)
        let result = withUnsafePointer(to: &target) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return result == 0
    }
}
