import Foundation
import Logging
import SlipwayCore
import SlipwayDrivers
import SlipwayStore

/// What Slipway does to an instance on its server: provision it (its database on the server's database
/// service, its filestore, its route), run a colour of it, stop, restart and remove it, read its logs,
/// and reconcile its status with what Docker says. Jobs call these; so do the routes that answer at once
/// (logs).
public struct InstanceOperations: Sendable {
    let store: any Store
    let secrets: SecretBox
    let ssh: any ServerConnector
    let local: any ServerConnector
    let images: ServiceImages
    /// How long a started container has to answer its health path.
    let healthDeadline: Duration
    let logger: Logger

    public init(
        store: any Store, secrets: SecretBox, ssh: any ServerConnector, local: any ServerConnector = LocalHost(),
        images: ServiceImages = ServiceImages(), healthDeadline: Duration = .seconds(90),
        logger: Logger = Logger(label: "slipway.instances")
    ) {
        self.store = store
        self.secrets = secrets
        self.ssh = ssh
        self.local = local
        self.images = images
        self.healthDeadline = healthDeadline
        self.logger = logger
    }

    /// An instance's server, reached.
    struct Target {
        let server: Server
        let host: any RemoteHost
        let docker: DockerClient
    }

    func target(_ instance: Instance) async throws -> Target {
        guard let server = try await store.server(organizationId: instance.organizationId, id: instance.serverId) else {
            throw SlipwayError.notFound("server")
        }
        let credential = try await ServerCredential.load(for: server, store: store, secrets: secrets)
        let host = try await (server.authMethod == .local ? local : ssh).connect(to: server, credential: credential)
        return Target(server: server, host: host, docker: try await host.docker(socketPath: server.dockerSocketPath))
    }

    // MARK: Lifecycle

    /// Creates what the instance needs on its server (database and role, filestore volume), then runs
    /// it when it has an image; without one it stays `created`, waiting for its first deployment.
    public func provision(_ instance: Instance) async throws {
        let target = try await target(instance)
        try await ensureDatabase(instance, target)
        if instance.kind == .odoo {
            try await target.docker.createVolume(filestoreVolume(instance), labels: labels(instance))
        }
        guard instance.image != nil else {
            try await save(instance, status: .created, reason: "waiting for the first deployment")
            return
        }
        try await run(instance, color: instance.activeColor ?? .blue, target)
    }

    /// Starts the active colour's container (recreating it when it is gone) and routes traffic to it.
    public func start(_ instance: Instance) async throws {
        guard instance.image != nil else {
            throw SlipwayError(.conflict, code: "no_image", message: "the instance has no image yet: deploy it first")
        }
        let target = try await target(instance)
        let color = instance.activeColor ?? .blue
        if let container = try await existing(instance.containerName(color), target.docker) {
            try await target.docker.startContainer(container.id)
            try await waitHealthy(instance, color: color, target)
            try await route(instance, color: color, target)
            try await save(instance, status: .running, reason: nil, activeColor: color)
        } else {
            try await run(instance, color: color, target)
        }
    }

    /// Stops its containers; the database, the filestore and the route stay.
    public func stop(_ instance: Instance) async throws {
        let target = try await target(instance)
        for color in Instance.Color.allCases {
            if let container = try await existing(instance.containerName(color), target.docker), container.state.running
            {
                try await target.docker.stopContainer(container.id, timeout: .seconds(30))
            }
        }
        try await save(instance, status: .stopped, reason: nil)
    }

    /// Runs the active colour again from its image with the instance's current settings and secrets.
    public func restart(_ instance: Instance) async throws {
        guard instance.image != nil else {
            throw SlipwayError(.conflict, code: "no_image", message: "the instance has no image yet: deploy it first")
        }
        try await run(instance, color: instance.activeColor ?? .blue, try await target(instance))
    }

    /// Removes its containers and its route, then its record. With `dropData`, its database, role and
    /// filestore go too; without, they stay on the server (named after the instance) for a later restore.
    public func remove(_ instance: Instance, dropData: Bool) async throws {
        let target = try await target(instance)
        for color in Instance.Color.allCases {
            if let container = try await existing(instance.containerName(color), target.docker) {
                try await target.docker.removeContainer(container.id, force: true, removeVolumes: true)
            }
        }
        let caddy = try await caddy(target)
        try await caddy.removeRoute(instance.routeId)
        if dropData {
            if let name = instance.databaseName {
                let password = try await databasePassword(target.server)
                let service = DatabaseService(docker: target.docker, server: target.server, image: images.database)
                try await service.ensure(superuserPassword: password)
                try await service.dropDatabase(name, role: name)
            }
            if instance.kind == .odoo {
                do {
                    try await target.docker.removeVolume(filestoreVolume(instance), force: true)
                } catch let error as DockerError where error.kind == .notFound {}
            }
        }
        _ = try await store.deleteInstance(organizationId: instance.organizationId, id: instance.id)
        logger.info("instance removed", metadata: ["instance": "\(instance.id)", "dataDropped": "\(dropData)"])
    }

    /// The last lines its active container wrote (stdout and stderr, in order).
    public func logs(_ instance: Instance, tail: Int) async throws -> [OutputLine] {
        let target = try await target(instance)
        let name = instance.containerName(instance.activeColor ?? .blue)
        guard try await existing(name, target.docker) != nil else { return [] }
        return try await target.docker.logs(name, tail: tail).collect()
    }

    // MARK: Pieces

    /// Runs `color` from the instance's image: a fresh container, health-checked, then routed.
    func run(_ instance: Instance, color: Instance.Color, _ target: Target) async throws {
        guard let image = instance.image else {
            throw SlipwayError(.conflict, code: "incomplete", message: "the instance has no image, ports or app port")
        }
        let instance = try await launch(instance, color: color, image: image, target)
        guard let ports = instance.hostPorts else { return }
        try await waitHealthy(instance, color: color, target)
        try await route(instance, color: color, target)
        try await save(instance, status: .running, reason: nil, activeColor: color)
        logger.info(
            "instance running",
            metadata: [
                "instance": "\(instance.id)", "color": "\(color.rawValue)", "image": "\(image)",
                "upstream": "127.0.0.1:\(ports[color])",
            ])
    }

    /// Starts a fresh container of `color` from `image` (replacing the colour's old one), published on the
    /// colour's loopback port; not health-checked, not routed. Answers the instance as stored after, whose
    /// port for the colour may have moved when something else on the machine held it.
    ///
    /// `databaseReady` skips making sure of the database (the service running, the database and role there):
    /// a deployment knows it is, having just snapshotted it, and saves the half second that takes.
    func launch(
        _ instance: Instance, color: Instance.Color, image: String, databaseReady: Bool = false, _ target: Target
    ) async throws -> Instance {
        var instance = instance
        guard instance.hostPorts != nil, let port = instance.port else {
            throw SlipwayError(.conflict, code: "incomplete", message: "the instance has no image, ports or app port")
        }
        let name = instance.containerName(color)
        var colorLabels = labels(instance)
        colorLabels.extra["io.slipway.color"] = color.rawValue
        // Something else on the machine may hold the allocated port: then the colour gets another one.
        for attempt in 1...5 {
            if let old = try await existing(name, target.docker) {
                try await target.docker.removeContainer(old.id, force: true, removeVolumes: true)
            }
            let hostPort = instance.hostPorts?[color]
            let id = try await createContainer(
                instance, image: image, name: name, labels: colorLabels, command: nil,
                ports: [.init(containerPort: port, hostAddress: "127.0.0.1", hostPort: hostPort)],
                restartPolicy: .unlessStopped, databaseReady: databaseReady, target)
            do {
                try await target.docker.startContainer(id)
                break
            } catch let error as DockerError
                where attempt < 5
                && (error.message.contains("address already in use")
                    || error.message.contains("port is already allocated"))
            {
                logger.notice(
                    "loopback port taken on the server; moving the colour to another",
                    metadata: ["instance": "\(instance.id)", "port": "\(hostPort ?? 0)"])
                guard
                    let moved = try await store.moveInstancePort(
                        organizationId: instance.organizationId, instanceId: instance.id, color: color)
                else { throw SlipwayError.notFound("instance") }
                instance = moved
            }
        }
        return instance
    }

    /// A container of the instance, created (not started): its env and secrets, its database (as
    /// `odoo.conf` for Odoo, as `DATABASE_URL` and `PG*` for a generic app), its filestore, its networks.
    func createContainer(
        _ instance: Instance, image: String, name: String, labels: SlipwayLabels, command: [String]?,
        ports: [ContainerSpec.PortBinding], restartPolicy: ContainerSpec.RestartPolicy, databaseReady: Bool = false,
        _ target: Target
    ) async throws -> String {
        let port = instance.port ?? 8069
        let database = databaseReady ? try await database(instance, target) : try await ensureDatabase(instance, target)
        let appsNetwork = try await ensureAppsNetwork(target)
        var environment = instance.env
        for (key, sealed) in try await store.encryptedInstanceSecrets(
            organizationId: instance.organizationId, instanceId: instance.id)
        {
            environment[key] = try secrets.open(sealed)
        }
        var mounts: [ContainerSpec.Mount] = []
        if instance.kind == .odoo {
            mounts.append(.volume(name: filestoreVolume(instance), target: OdooConfig.dataDirectory))
        } else {
            environment["PORT"] = String(port)
            environment["DATABASE_URL"] = database.url
            environment["PGHOST"] = DatabaseService.hostName
            environment["PGDATABASE"] = database.name
            environment["PGUSER"] = database.name
            environment["PGPASSWORD"] = database.password
        }
        let spec = ContainerSpec(
            name: name, image: image, command: command, environment: environment, ports: ports, mounts: mounts,
            networks: [.init(network: appsNetwork), .init(network: database.network)],
            restartPolicy: restartPolicy, stopTimeoutSeconds: 30)
        let id = try await target.docker.createContainer(spec, labels: labels)
        if instance.kind == .odoo {
            var archive = TarArchive()
            try archive.addDirectory("etc/odoo")
            try archive.addFile("etc/odoo/odoo.conf", text: try odooConfig(instance, database).text(), mode: 0o644)
            try await target.docker.copyIntoContainer(id, archive: archive)
        }
        return id
    }

    func odooConfig(_ instance: Instance, _ database: Database) -> OdooConfig {
        var config = OdooConfig(
            databaseHost: DatabaseService.hostName, databaseName: database.name, databaseUser: database.name,
            databasePassword: database.password)
        config.httpPort = instance.port ?? 8069
        return config
    }

    struct Database {
        let name: String
        let password: String
        let network: String
        var url: String {
            let user = name.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed) ?? name
            let secret = password.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? password
            return "postgres://\(user):\(secret)@\(DatabaseService.hostName):5432/\(name)"
        }
    }

    /// The server's database service running, and the instance's database and role in it.
    @discardableResult
    func ensureDatabase(_ instance: Instance, _ target: Target) async throws -> Database {
        let database = try await database(instance, target)
        let service = DatabaseService(docker: target.docker, server: target.server, image: images.database)
        try await service.ensure(superuserPassword: try await databasePassword(target.server))
        try await service.createDatabase(database.name, role: database.name, password: database.password)
        return database
    }

    /// The instance's database as its containers are given it, from the store alone.
    func database(_ instance: Instance, _ target: Target) async throws -> Database {
        guard let name = instance.databaseName,
            let sealed = try await store.encryptedInstanceDatabasePassword(
                organizationId: instance.organizationId, instanceId: instance.id)
        else { throw SlipwayError(.conflict, code: "no_database", message: "the instance has no database settings") }
        let service = DatabaseService(docker: target.docker, server: target.server, image: images.database)
        return Database(name: name, password: try secrets.open(sealed), network: service.networkName)
    }

    /// The superuser password of the server's database service, made and stored on first need.
    func databasePassword(_ server: Server) async throws -> String {
        if let sealed = try await store.encryptedDatabasePassword(
            organizationId: server.organizationId, serverId: server.id)
        {
            return try secrets.open(sealed)
        }
        let fresh = try secrets.seal(Identifier.secret(bytes: 24))
        guard
            let stored = try await store.claimDatabasePassword(
                organizationId: server.organizationId, serverId: server.id, encrypted: fresh)
        else { throw SlipwayError.notFound("server") }
        return try secrets.open(stored)
    }

    /// The server's network every instance container joins first (a plain bridge, so ports can be published).
    func ensureAppsNetwork(_ target: Target) async throws -> String {
        let name = "slipway-apps-\(target.server.id)"
        do {
            _ = try await target.docker.inspectNetwork(name)
        } catch let error as DockerError where error.kind == .notFound {
            do {
                try await target.docker.createNetwork(
                    name,
                    labels: .service(
                        organizationId: target.server.organizationId, serverId: target.server.id, service: "apps"))
            } catch let error as DockerError where error.kind == .conflict {
                // Created meanwhile by another instance's job.
            }
        }
        return name
    }

    /// Waits until the colour answers its health path on the server's loopback (any status below 500),
    /// or fails with the container's last lines when it exits or the deadline passes.
    func waitHealthy(
        _ instance: Instance, color: Instance.Color, _ target: Target, deadline: Duration? = nil
    ) async throws {
        let healthDeadline = deadline ?? self.healthDeadline
        guard let ports = instance.hostPorts else { return }
        let path = instance.healthPath ?? "/"
        let probe = HealthProbe(endpoint: try await target.host.loopback(port: ports[color]), port: ports[color])
        let until = ContinuousClock.now.advanced(by: healthDeadline)
        var last = "no answer yet"
        while ContinuousClock.now < until {
            let container = try await target.docker.inspectContainer(instance.containerName(color))
            if !container.state.isUp {
                throw InstanceFailure(
                    reason: "the container exited with code \(container.state.exitCode) before it was healthy",
                    lastLines: try await lastLines(instance.containerName(color), target.docker))
            }
            switch await probe.check(path) {
            case .success: return
            case .failure(let error): last = error.message
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        throw InstanceFailure(
            reason: "\(path) did not answer on 127.0.0.1:\(ports[color]) within \(healthDeadline): \(last)",
            lastLines: try await lastLines(instance.containerName(color), target.docker))
    }

    /// Points the instance's Caddy route at `color`.
    func route(_ instance: Instance, color: Instance.Color, _ target: Target) async throws {
        guard let ports = instance.hostPorts else { return }
        let caddy = try await caddy(target)
        // The switching Caddy serves the edge's socket; the edge holds the server's HTTP port (ServerServices).
        // A server verified before there was an edge keeps Caddy on the port until it is verified again.
        let edge = try await existing(ServerServices.edgeName(target.server), target.docker)
        let listen =
            edge?.state.running == true
            ? "unix/" + CaddyAdminClient.switchSocket : ":\(target.server.proxyHTTPPort)"
        try await caddy.ensureServer(listen: [listen], automaticHTTPS: false)
        try await caddy.setRoute(
            ProxyRoute(
                id: instance.routeId, hosts: instance.domains + [instance.defaultDomain],
                upstream: "127.0.0.1:\(ports[color])"))
    }

    func caddy(_ target: Target) async throws -> CaddyAdminClient {
        let port = target.server.proxyAdminPort
        return CaddyAdminClient(endpoint: try await target.host.loopback(port: port), adminPort: port)
    }

    func lastLines(_ container: String, _ docker: DockerClient, count: Int = 20) async throws -> [String] {
        (try? await docker.logs(container, tail: count).collect().map(\.text)) ?? []
    }

    func existing(_ name: String, _ docker: DockerClient) async throws -> ContainerDetails? {
        do {
            let container = try await docker.inspectContainer(name)
            return SlipwayLabels.isManaged(container.config.labels) ? container : nil
        } catch let error as DockerError where error.kind == .notFound {
            return nil
        }
    }

    func labels(_ instance: Instance) -> SlipwayLabels {
        SlipwayLabels(
            organizationId: instance.organizationId, projectId: instance.projectId,
            environmentId: instance.environmentId, instanceId: instance.id)
    }

    func filestoreVolume(_ instance: Instance) -> String { "slipway-\(instance.id)-filestore" }

    func save(
        _ instance: Instance, status: Instance.Status, reason: String?, activeColor: Instance.Color? = nil,
        lastLines: [String] = []
    ) async throws {
        guard var current = try await store.instance(organizationId: instance.organizationId, id: instance.id) else {
            return
        }
        current.status = status
        current.statusReason = reason
        current.activeColor = activeColor ?? current.activeColor
        current.lastLogLines = lastLines
        _ = try await store.updateInstance(current)
    }
}

/// An instance that did not come up: why, and the last lines its container wrote.
public struct InstanceFailure: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public var lastLines: [String]
    public var description: String { reason }
}
