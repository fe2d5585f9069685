import Foundation
import HummingbirdTesting
import Logging
import SlipwayCore
import SlipwayDrivers
import SlipwayEngine
import SlipwayServer
import SlipwayTesting
import Testing

/// Instances through the API with a job runner doing the work on a real server (this machine, its
/// engine the test engine), as a user drives them: create, wait, set a secret, restart, read the logs,
/// open it through Caddy, remove it.
@Suite("Instances through the API", .serialized)
struct InstanceAPITests {
    static let images = ServiceImages(
        registry: DockerTestEngine.registryImage, proxy: DockerTestEngine.proxyImage,
        database: ServiceImages.debianDatabase)

    /// Polls the instance until `done` holds for its JSON, or 120 s pass; answers the last reply.
    static func waitFor(
        _ client: any TestClientProtocol, _ plane: TestControlPlane, instance id: String, _ done: (Reply) -> Bool
    ) async throws -> Reply {
        let until = ContinuousClock.now + .seconds(120)
        var reply = try await send(client, .get, "/api/instances/\(id)", token: plane.ownerToken)
        while !done(reply), ContinuousClock.now < until {
            try await Task.sleep(for: .milliseconds(200))
            reply = try await send(client, .get, "/api/instances/\(id)", token: plane.ownerToken)
        }
        return reply
    }

    @Test("an Odoo stand-in instance is created, given a secret, restarted, read, opened through Caddy and removed")
    func lifecycle() async throws {
        try await DockerTestEngine.ensureServiceImages()
        try await DockerTestEngine.ensureImages(["postgres", "odoo-standin"])
        try await TestControlPlane.with { base in
            // The first start's `local`, pointed at the test engine and free ports.
            var server = try #require(try await base.store.servers(organizationId: base.organization.id).first)
            server.dockerSocketPath = try await DockerTestEngine.socketPath()
            server.registryPort = try LoopbackSocket.freePort()
            server.proxyAdminPort = try LoopbackSocket.freePort()
            server.proxyHTTPPort = try LoopbackSocket.freePort()
            _ = try await base.store.updateServer(server)
            let local = server
            let lines = LogCapture()
            let logger = Logger(label: "slipway.test") { _ in lines.handler() }
            let operations = InstanceOperations(
                store: base.store, secrets: base.backend.secrets, ssh: SSHServerConnector(), images: Self.images,
                healthDeadline: .seconds(60), logger: logger)
            let plane = base.with(instances: operations)
            let runner = JobRunner(
                store: plane.store,
                handlers: [
                    ServerVerifier(
                        store: plane.store, secrets: plane.backend.secrets, ssh: LocalHost(), images: Self.images)
                ] + InstanceJobHandler.all(operations),
                configuration: .init(owner: "test", lease: 30, pollInterval: .milliseconds(50)), logger: logger)
            let docker = try await DockerTestEngine.client()
            let secret = "odoo-admin-" + UUID().uuidString
            let responses: [String]
            do {
                responses = try await plane.test { client in
                    try await withThrowingTaskGroup(of: Void.self, returning: [String].self) { group in
                        group.addTask { try await runner.run() }
                        defer { group.cancelAll() }
                        _ = try await send(client, .post, "/api/servers/\(local.id)/verify", token: plane.ownerToken)
                        let until = ContinuousClock.now + .seconds(60)
                        while ContinuousClock.now < until,
                            try await plane.store.server(organizationId: local.organizationId, id: local.id)?.status
                                != .active
                        {
                            try await Task.sleep(for: .milliseconds(100))
                        }
                        let projectId = try await create(
                            client, "/api/projects", token: plane.ownerToken,
                            body: #"{"name":"Shop","repoUrl":"https://git.example.test/shop.git","kind":"odoo"}"#)
                        let environmentId = try await create(
                            client, "/api/projects/\(projectId)/environments", token: plane.ownerToken,
                            body: #"{"name":"Production","type":"production","branch":"main"}"#)
                        let instances = "/api/environments/\(environmentId)/instances"

                        // Bad input creates nothing.
                        let unknownServer = try await send(
                            client, .post, instances, token: plane.ownerToken,
                            body: #"{"name":"shop","serverId":"srv_nope"}"#)
                        #expect(unknownServer.status == 422 && unknownServer.errorField == "serverId")
                        let pending = try await create(
                            client, "/api/servers", token: plane.ownerToken,
                            body: #"{"name":"later","host":"10.0.0.9","user":"deploy","password":"pw"}"#)
                        let notActive = try await send(
                            client, .post, instances, token: plane.ownerToken,
                            body: #"{"name":"shop","serverId":"\#(pending)"}"#)
                        #expect(notActive.status == 422 && notActive.errorField == "serverId")
                        #expect(notActive.text.contains("verify"))
                        let badPort = try await send(
                            client, .post, instances, token: plane.ownerToken,
                            body: #"{"name":"shop","serverId":"\#(local.id)","port":70000}"#)
                        #expect(badPort.status == 422 && badPort.errorField == "port")
                        let badEnv = try await send(
                            client, .post, instances, token: plane.ownerToken,
                            body: #"{"name":"shop","serverId":"\#(local.id)","env":{"1BAD":"x"}}"#)
                        #expect(badEnv.status == 422 && badEnv.errorField == "env")
                        #expect(try await send(client, .get, instances, token: plane.ownerToken).items.isEmpty)

                        let created = try await send(
                            client, .post, instances, token: plane.ownerToken,
                            body: #"{"name":"shop","serverId":"\#(local.id)","image":"slipway/odoo-standin:latest"}"#)
                        #expect(created.status == 201, "\(created.text)")
                        #expect(created["status"]?.string == "creating")
                        let id = try #require(created["id"]?.string)
                        let duplicate = try await send(
                            client, .post, instances, token: plane.ownerToken,
                            body: #"{"name":"shop","serverId":"\#(local.id)"}"#)
                        #expect(duplicate.status == 409)

                        var shop = try await Self.waitFor(client, plane, instance: id) {
                            $0["status"]?.string != "creating"
                        }
                        #expect(shop["status"]?.string == "running", "\(shop.text)")
                        #expect(shop["port"]?.int == 8069)
                        #expect(shop["healthPath"]?.string == "/web/health")

                        let put = try await send(
                            client, .put, "/api/instances/\(id)/secrets/ADMIN_PASSWORD", token: plane.ownerToken,
                            body: #"{"value":"\#(secret)"}"#)
                        #expect(put.status == 204, "\(put.text)")
                        let restart = try await send(
                            client, .post, "/api/instances/\(id)/restart", token: plane.ownerToken)
                        #expect(restart.status == 202)
                        shop = try await Self.waitFor(client, plane, instance: id) {
                            $0["status"]?.string != "restarting"
                        }
                        #expect(shop["status"]?.string == "running", "\(shop.text)")
                        #expect(shop.text.contains("ADMIN_PASSWORD"))
                        let environment = try await docker.inspectContainer("slipway-\(id)-blue").config.environment
                        #expect(environment?.contains("ADMIN_PASSWORD=\(secret)") == true, "the container got it")

                        let logs = try await send(
                            client, .get, "/api/instances/\(id)/logs?tail=50", token: plane.ownerToken)
                        #expect(logs.status == 200)
                        #expect(!logs.items.isEmpty, "\(logs.text)")

                        let domain = try #require(
                            try await plane.store.instance(organizationId: plane.organization.id, id: id)
                        ).defaultDomain
                        let health = try await HealthProbe(
                            endpoint: .tcp(host: "127.0.0.1", port: local.proxyHTTPPort), port: local.proxyHTTPPort
                        ).check(path: "/web/health", host: domain)
                        #expect(try health.get() == 200)

                        let answers = [created.text, shop.text, put.text, restart.text, logs.text]
                        let removal = try await send(
                            client, .delete, "/api/instances/\(id)?dropData=true", token: plane.ownerToken)
                        #expect(removal.status == 202)
                        let gone = try await Self.waitFor(client, plane, instance: id) { $0.status == 404 }
                        #expect(gone.status == 404)
                        #expect(try await docker.listContainers(matching: .init(instanceId: id)).isEmpty)
                        return answers
                    }
                }
            } catch {
                try? await Self.removeEverything(of: plane.organization.id, docker)
                throw error
            }
            try await Self.removeEverything(of: plane.organization.id, docker)
            let everything = (responses + lines.all).joined(separator: "\n")
            #expect(!everything.contains(secret), "the secret appears in an answer or a log line")
        }
    }

    static func removeEverything(of organizationId: String, _ docker: DockerClient) async throws {
        let selector = SlipwayLabels.Selector(organizationId: organizationId)
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
}

/// Every log line written through the loggers it hands out.
final class LogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    var all: [String] { lock.withLock { lines } }

    func handler() -> LogCaptureHandler { LogCaptureHandler(capture: self) }

    func append(_ line: String) { lock.withLock { lines.append(line) } }
}

struct LogCaptureHandler: LogHandler {
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(
        level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?, source: String, file: String,
        function: String, line: UInt
    ) {
        capture.append("\(level) \(message) \(metadata.merging(extra ?? [:]) { $1 })")
    }
}
