import Crypto
import Foundation
import NIOHTTP1
import SlipwayCore
import SlipwayStore
import SlipwayTesting
import Testing

@testable import SlipwayDrivers
@testable import SlipwayEngine

/// Instances on a real server (this machine through the local connector, its engine the test engine):
/// the database service, Caddy, the generic app and the Odoo stand-in, with their real images.
@Suite("Instance lifecycle", .serialized)
struct InstanceLifecycleTests {
    /// The secret key, as `slipway serve` reads it from `SLIPWAY_SECRET_KEY` (a control plane a test starts
    /// opens what the test sealed).
    static let secretKeyHex = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    static let secrets = SecretBox(
        key: SymmetricKey(
            data: stride(from: 0, to: secretKeyHex.count, by: 2).map {
                let start = secretKeyHex.index(secretKeyHex.startIndex, offsetBy: $0)
                return UInt8(secretKeyHex[start..<secretKeyHex.index(start, offsetBy: 2)], radix: 16) ?? 0
            }))
    static let images = ServiceImages(
        registry: DockerTestEngine.registryImage, proxy: DockerTestEngine.proxyImage,
        database: ServiceImages.debianDatabase)
    static let secretValue = "s3cr3t-" + UUID().uuidString

    /// Everything one test works with: a verified server, a project of each kind, the operations.
    struct World {
        let store: any Store
        let server: Server
        let organization: Organization
        let generic: (project: Project, environment: SlipwayCore.Environment)
        let odoo: (project: Project, environment: SlipwayCore.Environment)
        let operations: InstanceOperations
        let docker: DockerClient
    }

    /// Runs `body` with a verified server: this machine through the local connector, or, `overSSH`, the
    /// test sshd's key user (in the docker group), whose engine and loopback Slipway reaches through
    /// forwarded sockets.
    static func withWorld(
        overSSH: Bool = false, store: (any Store)? = nil, _ body: (World) async throws -> Void
    ) async throws {
        try await DockerTestEngine.ensureServiceImages()
        try await DockerTestEngine.ensureImages(["postgres", "odoo-standin"])
        let sshd = overSSH ? try await SSHTestServer.shared() : nil
        let connector = SSHServerConnector()
        do {
            try await inWorld(sshd, connector, store, body)
        } catch {
            await connector.closeAll()
            throw error
        }
        await connector.closeAll()
    }

    private static func inWorld(
        _ sshd: SSHTestServer?, _ connector: SSHServerConnector, _ given: (any Store)?,
        _ body: (World) async throws -> Void
    ) async throws {
        if let given {
            return try await inWorld(sshd, connector, store: given, body)
        }
        try await TestStore.with(.sqlite, label: "instances") { store in
            try await inWorld(sshd, connector, store: store, body)
        }
    }

    private static func inWorld(
        _ sshd: SSHTestServer?, _ connector: SSHServerConnector, store: any Store, _ body: (World) async throws -> Void
    ) async throws {
        let organization = try await JobQueueTests.organization(store)
        let server = Server(
            organizationId: organization.id, name: "box", host: sshd == nil ? "localhost" : "127.0.0.1",
            port: sshd?.port ?? 0, user: sshd == nil ? "root" : SSHTestServer.keyUser,
            authMethod: sshd == nil ? .local : .privateKey,
            dockerSocketPath: try await DockerTestEngine.socketPath(),
            registryPort: try LoopbackSocket.freePort(), proxyAdminPort: try LoopbackSocket.freePort(),
            proxyHTTPPort: try LoopbackSocket.freePort())
        try await store.createServer(
            server, encryptedCredential: try sshd.map { try secrets.seal($0.credentials.ed25519) })
        let docker = try await DockerTestEngine.client()
        do {
            let verifier = ServerVerifier(store: store, secrets: secrets, ssh: connector, images: images)
            try await verifier.run(Job(organizationId: organization.id, kind: .serverVerify, subjectId: server.id))
            let verified = try #require(try await store.server(organizationId: organization.id, id: server.id))
            try #require(verified.status == .active, "\(verified.statusReason ?? "")")
            func project(_ kind: Project.Kind) async throws -> (Project, SlipwayCore.Environment) {
                let project = Project(
                    organizationId: organization.id, name: "\(kind) app", repoUrl: "https://git.example.test/a.git",
                    kind: kind)
                try await store.createProject(project)
                let environment = SlipwayCore.Environment(
                    organizationId: organization.id, projectId: project.id, name: "Production", type: .production,
                    branch: "main")
                try await store.createEnvironment(environment)
                return (project, environment)
            }
            let world = World(
                store: store, server: verified, organization: organization, generic: try await project(.generic),
                odoo: try await project(.odoo),
                operations: InstanceOperations(
                    store: store, secrets: secrets, ssh: connector, images: images,
                    healthDeadline: .seconds(60)),
                docker: docker)
            try await body(world)
        } catch {
            try? await removeEverything(of: organization, docker)
            throw error
        }
        try await removeEverything(of: organization, docker)
    }

    /// Every container, volume, network and image labelled with the test's organization.
    static func removeEverything(of organization: Organization, _ docker: DockerClient) async throws {
        let selector = SlipwayLabels.Selector(organizationId: organization.id)
        for container in try await docker.listContainers(matching: selector) {
            try await docker.removeContainer(container.id, force: true, removeVolumes: true)
        }
        for volume in try await docker.listVolumes(matching: selector) {
            try await docker.removeVolume(volume.name, force: true)
        }
        for network in try await docker.listNetworks(matching: selector) {
            try await docker.removeNetwork(network.id)
        }
        for image in try await docker.listImages(matching: selector) {
            _ = try? await docker.removeImage(image.id, force: true)
        }
    }

    /// A generic app: busybox's httpd on 8080, whose page says which database it was given and whether
    /// it got its secret (never the secret itself).
    static func genericImage(_ world: World) async throws -> String {
        let tag = "slipway-test/generic-app:\(UUID().uuidString.prefix(8).lowercased())"
        var context = TarArchive()
        try context.addFile(
            "Dockerfile",
            text: """
                FROM \(DockerTestEngine.baseImage)
                CMD ["sh", "-c", "if [ -e /tmp/crash ]; then echo crashed again; exit 3; fi; echo app starting; mkdir -p /www && echo \\"db=$PGDATABASE secret=${SECRET_TOKEN:+set} greeting=$GREETING\\" > /www/index.html && httpd -f -v -p 8080 -h /www & while [ ! -e /tmp/crash ]; do sleep 0.2; done; echo crashing now; exit 3"]
                """)
        let labels = SlipwayLabels(
            organizationId: world.organization.id, projectId: world.generic.project.id,
            environmentId: world.generic.environment.id)
        _ = try await world.docker.buildImage(context: context, tags: [tag], labels: labels).collect()
        return tag
    }

    /// An instance record as the API makes it: `creating`, with its database name and sealed password.
    static func create(
        _ world: World, kind: Project.Kind, name: String, image: String?, port: Int, healthPath: String,
        env: [String: String] = [:]
    ) async throws -> Instance {
        let (project, environment) = kind == .odoo ? world.odoo : world.generic
        let id = Identifier.make("ins")
        return try await world.store.createInstance(
            Instance(
                id: id, organizationId: world.organization.id, projectId: project.id, environmentId: environment.id,
                serverId: world.server.id, name: name, kind: kind, status: .creating, port: port,
                healthPath: healthPath, image: image, env: env, databaseName: "slipway_" + id.dropFirst(4)),
            encryptedDatabasePassword: try secrets.seal(Identifier.secret(bytes: 24)))
    }

    static func reload(_ world: World, _ instance: Instance) async throws -> Instance {
        try #require(try await world.store.instance(organizationId: instance.organizationId, id: instance.id))
    }

    /// A request through the server's Caddy for the instance's default host name.
    static func throughProxy(
        _ world: World, _ instance: Instance, _ method: HTTPMethod = .GET, _ path: String = "/", json: String? = nil
    ) async throws -> (status: Int, body: String) {
        let client = ServiceHTTPClient(
            endpoint: .tcp(host: "127.0.0.1", port: world.server.proxyHTTPPort), hostHeader: instance.defaultDomain)
        let answer = try await client.send(method, path, json: json.map { Data($0.utf8) })
        return (answer.status, String(decoding: answer.body, as: UTF8.self))
    }

    @Test("a generic and an Odoo instance answer through Caddy, each with its own database, ports and route")
    func bothKinds() async throws {
        try await Self.withWorld { world in
            let image = try await Self.genericImage(world)
            var web = try await Self.create(
                world, kind: .generic, name: "web", image: image, port: 8080, healthPath: "/",
                env: ["GREETING": "hi"])
            #expect(
                try await world.store.setInstanceSecret(
                    organizationId: web.organizationId, instanceId: web.id, name: "SECRET_TOKEN",
                    encryptedValue: try Self.secrets.seal(Self.secretValue)))
            try await world.operations.provision(web)
            web = try await Self.reload(world, web)
            #expect(web.status == .running, "\(web.statusReason ?? "") \(web.lastLogLines)")
            #expect(web.activeColor == .blue)
            let page = try await Self.throughProxy(world, web)
            #expect(page.status == 200)
            #expect(page.body.contains("db=\(web.databaseName ?? "-") secret=set greeting=hi"), "\(page.body)")

            var shop = try await Self.create(
                world, kind: .odoo, name: "shop", image: "slipway/odoo-standin:latest", port: 8069,
                healthPath: "/web/health")
            try await world.operations.provision(shop)
            shop = try await Self.reload(world, shop)
            #expect(shop.status == .running, "\(shop.statusReason ?? "") \(shop.lastLogLines)")
            let note = try await Self.throughProxy(world, shop, .POST, "/standin/notes", json: #"{"text":"kept"}"#)
            #expect(note.status == 201, "\(note.body)")
            #expect(try await Self.throughProxy(world, shop, .GET, "/standin/notes?format=json").body.contains("kept"))

            // Two instances, two pairs of ports, two routes.
            let ports = [web.hostPorts?.blue, web.hostPorts?.green, shop.hostPorts?.blue, shop.hostPorts?.green]
            #expect(Set(ports.compactMap { $0 }).count == 4)
            #expect(try await Self.throughProxy(world, web).body.contains("greeting=hi"))

            // Each database has its own role, which cannot open the other's.
            let service = DatabaseService(docker: world.docker, server: world.server, image: Self.images.database)
            #expect(try await service.databases().contains(try #require(web.databaseName)))
            #expect(try await service.databases().contains(try #require(shop.databaseName)))
            let webPassword = try Self.secrets.open(
                try #require(
                    try await world.store.encryptedInstanceDatabasePassword(
                        organizationId: web.organizationId, instanceId: web.id)))
            let intrusion = try await DatabaseServiceTests.sql(
                world.docker, service, role: try #require(web.databaseName), password: webPassword,
                database: try #require(shop.databaseName), "SELECT 1")
            #expect(intrusion.stderr.contains("permission denied for database"), "\(intrusion.stderr)")

            // Stopping keeps the data; starting again shows the same rows.
            try await world.operations.stop(shop)
            #expect(try await Self.reload(world, shop).status == .stopped)
            #expect(try await Self.throughProxy(world, shop, .GET, "/standin/notes?format=json").status >= 500)
            try await world.operations.start(try await Self.reload(world, shop))
            #expect(try await Self.reload(world, shop).status == .running)
            #expect(try await Self.throughProxy(world, shop, .GET, "/standin/notes?format=json").body.contains("kept"))

            // The secret went to the container and nowhere else.
            let everything = [
                String(decoding: try JSONEncoder().encode(try await Self.reload(world, web)), as: UTF8.self),
                String(decoding: try JSONEncoder().encode(try await Self.reload(world, shop)), as: UTF8.self),
                try await world.operations.logs(web, tail: 1000).map(\.text).joined(separator: "\n"),
                try await world.operations.logs(shop, tail: 1000).map(\.text).joined(separator: "\n"),
            ].joined(separator: "\n")
            #expect(!everything.contains(Self.secretValue))
            #expect(!everything.contains(webPassword))
        }
    }

    @Test("over SSH: an instance runs through the forwarded engine, answers through Caddy, logs, and is removed")
    func overSSH() async throws {
        try await Self.withWorld(overSSH: true) { world in
            #expect(world.server.authMethod == .privateKey)
            let image = try await Self.genericImage(world)
            var web = try await Self.create(
                world, kind: .generic, name: "web", image: image, port: 8080, healthPath: "/")
            try await world.operations.provision(web)
            web = try await Self.reload(world, web)
            #expect(web.status == .running, "\(web.statusReason ?? "") \(web.lastLogLines)")
            #expect(try await Self.throughProxy(world, web).body.contains("db=\(web.databaseName ?? "-")"))
            #expect(try await world.operations.logs(web, tail: 10).map(\.text).contains("app starting"))
            try await world.operations.stop(web)
            #expect(try await Self.reload(world, web).status == .stopped)
            try await world.operations.remove(try await Self.reload(world, web), dropData: true)
            #expect(try await world.docker.listContainers(matching: .init(instanceId: web.id)).isEmpty)
        }
    }

    @Test("a crashed container shows as failed with its last lines; a restart brings it back")
    func killedContainer() async throws {
        try await Self.withWorld { world in
            let image = try await Self.genericImage(world)
            let web = try await Self.create(
                world, kind: .generic, name: "web", image: image, port: 8080, healthPath: "/")
            try await world.operations.provision(web)
            let reconciler = InstanceReconciler(
                operations: world.operations, logger: .init(label: "test"))
            try await reconciler.reconcile(serverId: world.server.id)
            #expect(try await Self.reload(world, web).status == .running)

            // The app crashes (and keeps crashing when Docker restarts it).
            _ = try await world.docker.exec(
                web.containerName(.blue), command: ["touch", "/tmp/crash"], timeout: .seconds(10))
            var failed = try await Self.reload(world, web)
            for _ in 0..<50 where failed.status != .failed {
                try await Task.sleep(for: .milliseconds(200))
                try await reconciler.reconcile(serverId: world.server.id)
                failed = try await Self.reload(world, web)
            }
            #expect(failed.status == .failed)
            #expect(failed.statusReason?.contains("exit code 3") == true, "\(failed.statusReason ?? "")")
            #expect(failed.lastLogLines.contains("crashing now"), "\(failed.lastLogLines)")

            // A restart makes the container again from its image: running, and it stays so.
            try await world.operations.restart(failed)
            try await reconciler.reconcile(serverId: world.server.id)
            let back = try await Self.reload(world, web)
            #expect(back.status == .running)
            #expect(back.lastLogLines.isEmpty)
        }
    }

    @Test("the module update runs in a one-off container on the instance's database; a failing module exits 1")
    func moduleUpdate() async throws {
        try await Self.withWorld { world in
            var shop = try await Self.create(
                world, kind: .odoo, name: "shop", image: "slipway/odoo-standin:latest", port: 8069,
                healthPath: "/web/health", env: ["STANDIN_FAIL_MODULES": "broken_mod"])
            try await world.operations.provision(shop)
            shop = try await Self.reload(world, shop)
            #expect(shop.status == .running, "\(shop.statusReason ?? "")")

            let updated = try await world.operations.updateModules(
                shop, image: "slipway/odoo-standin:latest", modules: ["sale", "stock"])
            #expect(updated.succeeded, "\(updated.lines)")
            #expect(updated.lines.contains { $0.contains("updating module sale") }, "\(updated.lines)")
            let failed = try await world.operations.updateModules(
                shop, image: "slipway/odoo-standin:latest", modules: ["crm", "broken_mod"])
            #expect(failed.exitCode == 1)
            #expect(failed.lines.contains { $0.contains("broken_mod") })

            // The updates went to the instance's own database: crm is recorded, broken_mod is not.
            let service = DatabaseService(docker: world.docker, server: world.server, image: Self.images.database)
            let name = try #require(shop.databaseName)
            let password = try Self.secrets.open(
                try #require(
                    try await world.store.encryptedInstanceDatabasePassword(
                        organizationId: shop.organizationId, instanceId: shop.id)))
            let rows = try await DatabaseServiceTests.sql(
                world.docker, service, role: name, password: password, database: name,
                "SELECT string_agg(module, ',' ORDER BY id) FROM standin_module_updates")
            #expect(rows.stdout == "sale,stock,crm", "\(rows.stderr)")
            // No one-off container stays behind; the instance still serves.
            let left = try await world.docker.listContainers(matching: .init(instanceId: shop.id))
            #expect(left.map(\.names).count == 1)
            #expect(try await Self.throughProxy(world, shop, .GET, "/web/health").status == 200)
            await #expect(throws: SlipwayError.self) {
                _ = try await world.operations.updateModules(
                    shop, image: "slipway/odoo-standin:latest", modules: ["sale; rm -rf /"])
            }
        }
    }

    @Test("remove keeps the database unless asked; purge drops it and the filestore; an image-less instance waits")
    func removeAndPurge() async throws {
        try await Self.withWorld { world in
            let image = try await Self.genericImage(world)
            let web = try await Self.create(
                world, kind: .generic, name: "web", image: image, port: 8080, healthPath: "/")
            try await world.operations.provision(web)
            try await world.operations.remove(try await Self.reload(world, web), dropData: false)
            #expect(try await world.store.instance(organizationId: web.organizationId, id: web.id) == nil)
            #expect(try await Self.throughProxy(world, web).status == 404)
            let service = DatabaseService(docker: world.docker, server: world.server, image: Self.images.database)
            #expect(try await service.databases().contains(try #require(web.databaseName)), "data stays")
            #expect(try await world.operations.existing(web.containerName(.blue), world.docker) == nil)

            let shop = try await Self.create(
                world, kind: .odoo, name: "shop", image: nil, port: 8069, healthPath: "/web/health")
            try await world.operations.provision(shop)
            let waiting = try await Self.reload(world, shop)
            #expect(waiting.status == .created)
            #expect(waiting.statusReason == "waiting for the first deployment")
            #expect(try await world.docker.inspectVolume("slipway-\(shop.id)-filestore").name.isEmpty == false)
            try await world.operations.remove(waiting, dropData: true)
            #expect(try await service.databases().contains(try #require(shop.databaseName)) == false)
            await #expect(throws: DockerError.self) {
                try await world.docker.inspectVolume("slipway-\(shop.id)-filestore")
            }
        }
    }
}
