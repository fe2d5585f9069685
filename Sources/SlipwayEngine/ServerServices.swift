import Foundation
import SlipwayCore
import SlipwayDrivers

/// Starts, when missing, the services every server runs for its instances, as containers Slipway owns
/// (labelled with the server and the service, restarted by the engine after a reboot, on the host's
/// network so they can listen on its loopback only):
/// - Docker's registry on `127.0.0.1:registryPort`, where deployments push their images;
/// - Caddy, with its admin API on `127.0.0.1:proxyAdminPort`, in front of every instance.
///
/// Each `ensure` adopts the service's container when it already runs, starts it again when stopped,
/// and otherwise creates it (pulling the image when the server lacks it); then it checks the service
/// answers where it should, through the host's loopback.
struct ServerServices {
    let host: any RemoteHost
    let docker: DockerClient
    let server: Server
    let images: ServiceImages
    /// How long a started service has to answer.
    var startDeadline: Duration = .seconds(30)

    var registryName: String { "slipway-registry-\(server.registryPort)" }
    var proxyName: String { "slipway-proxy-\(server.proxyAdminPort)" }
    var edgeName: String { Self.edgeName(server) }

    /// The edge Caddy's container on `server`.
    static func edgeName(_ server: Server) -> String { "slipway-edge-\(server.proxyHTTPPort)" }

    func labels(_ service: String) -> SlipwayLabels {
        .service(organizationId: server.organizationId, serverId: server.id, service: service)
    }

    func ensureRegistry() async throws -> String {
        let port = server.registryPort
        let spec = ContainerSpec(
            name: registryName, image: images.registry,
            environment: [
                "REGISTRY_HTTP_ADDR": "127.0.0.1:\(port)", "REGISTRY_STORAGE_DELETE_ENABLED": "true",
            ],
            mounts: [.volume(name: "\(registryName)-data", target: "/var/lib/registry")],
            networks: [.init(network: "host")], restartPolicy: .unlessStopped)
        let started = try await ensureContainer(spec, service: "registry", volume: "\(registryName)-data")
        let registry = RegistryClient(endpoint: try await host.loopback(port: port), port: port)
        try await answering("the registry on 127.0.0.1:\(port)") { try await registry.ping() }
        return "\(started); registry answers on 127.0.0.1:\(port) (image \(images.registry))"
    }

    /// Caddy in two containers: the switching one (admin API on `127.0.0.1:proxyAdminPort`, the instances'
    /// routes, serving on a unix socket) and in front of it the edge on `:proxyHTTPPort`, whose configuration
    /// never changes (see ``CaddyAdminClient/edgeConfiguration(listen:)``): route changes reload only the
    /// switching one, and no client connection is closed under a request when they do.
    func ensureProxy() async throws -> String {
        let port = server.proxyAdminPort
        let configuration = "/etc/slipway/caddy.json"
        let sockets = "\(proxyName)-sockets"
        let socketDirectory = URL(fileURLWithPath: CaddyAdminClient.switchSocket).deletingLastPathComponent().path
        let spec = ContainerSpec(
            name: proxyName, image: images.proxy, command: ["caddy", "run", "--config", configuration, "--resume"],
            environment: ["XDG_DATA_HOME": "/data", "XDG_CONFIG_HOME": "/data/config"],
            mounts: [
                .volume(name: "\(proxyName)-data", target: "/data"), .volume(name: sockets, target: socketDirectory),
            ],
            networks: [.init(network: "host")], restartPolicy: .unlessStopped)
        // A switching Caddy made before the edge existed has no socket volume: it is made again (its routes
        // stay in its data volume, which --resume loads).
        if let existing = try await existingContainer(proxyName), SlipwayLabels.isManaged(existing.config.labels),
            !(existing.mounts ?? []).contains(where: { $0.name == sockets })
        {
            try await docker.removeContainer(existing.id, force: true)
        }
        _ = try await docker.createVolume(sockets, labels: labels("proxy"))
        let started = try await ensureContainer(spec, service: "proxy", volume: "\(proxyName)-data") { id in
            var archive = TarArchive()
            try archive.addDirectory("etc/slipway")
            try archive.addFile(
                "etc/slipway/caddy.json", contents: CaddyAdminClient.initialConfiguration(adminPort: port))
            try await docker.copyIntoContainer(id, archive: archive)
        }
        let caddy = CaddyAdminClient(endpoint: try await host.loopback(port: port), adminPort: port)
        try await answering("Caddy's admin API on 127.0.0.1:\(port)") { try await caddy.ping() }
        // The switching Caddy serves on the socket before the edge takes the HTTP port.
        try await caddy.ensureServer(listen: ["unix/" + CaddyAdminClient.switchSocket], automaticHTTPS: false)
        let edge = try await ensureEdge(sockets: sockets, socketDirectory: socketDirectory)
        return "\(started); Caddy's admin API answers on 127.0.0.1:\(port) (image \(images.proxy)); \(edge)"
    }

    private func ensureEdge(sockets: String, socketDirectory: String) async throws -> String {
        let port = server.proxyHTTPPort
        let spec = ContainerSpec(
            name: edgeName, image: images.proxy, command: ["caddy", "run", "--config", "/etc/slipway/edge.json"],
            environment: ["XDG_DATA_HOME": "/data", "XDG_CONFIG_HOME": "/data/config"],
            mounts: [.volume(name: sockets, target: socketDirectory)],
            networks: [.init(network: "host")], restartPolicy: .unlessStopped)
        let started = try await ensureContainer(spec, service: "proxy", volume: sockets) { id in
            var archive = TarArchive()
            try archive.addDirectory("etc/slipway")
            try archive.addFile(
                "etc/slipway/edge.json", contents: CaddyAdminClient.edgeConfiguration(listen: ":\(port)"))
            try await docker.copyIntoContainer(id, archive: archive)
        }
        // Any answer through the edge (the switching Caddy's 404 for an unknown host) shows both run.
        let probe = HealthProbe(endpoint: try await host.loopback(port: port), port: port)
        try await answering("the proxy on :\(port)") {
            if case .failure(let error) = await probe.check(path: "/", host: "slipway-check.invalid") { throw error }
        }
        return "\(started); the edge answers on :\(port)"
    }

    /// Makes the container of `spec` run; says what it did.
    private func ensureContainer(
        _ spec: ContainerSpec, service: String, volume: String,
        prepare: (String) async throws -> Void = { _ in }
    ) async throws -> String {
        let name = spec.name ?? service
        if let existing = try await existingContainer(name) {
            guard SlipwayLabels.isManaged(existing.config.labels) else {
                throw ConnectionFailure.refused(
                    "a container named \(name) exists on the server and is not Slipway's: rename or remove it, then verify again"
                )
            }
            if existing.state.running { return "\(name) already runs" }
            try await docker.startContainer(existing.id)
            return "\(name) was stopped and is started again"
        }
        try await ensureImage(spec.image, service: service)
        try await docker.createVolume(volume, labels: labels(service))
        let id = try await docker.createContainer(spec, labels: labels(service))
        do {
            try await prepare(id)
            try await docker.startContainer(id)
        } catch {
            // Nothing half-made stays: the next verification starts from scratch.
            try? await docker.removeContainer(id, force: true)
            throw error
        }
        return "\(name) created and started"
    }

    private func existingContainer(_ name: String) async throws -> ContainerDetails? {
        do {
            return try await docker.inspectContainer(name)
        } catch let error as DockerError where error.kind == .notFound {
            return nil
        }
    }

    private func ensureImage(_ image: String, service: String) async throws {
        if try await docker.hasImage(image) { return }
        let (repository, tag) = Self.split(image)
        do {
            _ = try await docker.pullImage(repository, tag: tag).collect()
        } catch let error as DockerError {
            throw ConnectionFailure.refused(
                "the \(service) image \(image) is not on the server and could not be pulled (\(error.message)): "
                    + "load it on the server, or start slipway with --\(service)-image naming one it has "
                    + "(scripts/images builds \(service == "registry" ? ServiceImages.debianRegistry : ServiceImages.debianProxy) from Debian's packages)"
            )
        }
    }

    /// Retries `check` until it passes or the start deadline ends; the last failure is the reason.
    private func answering(_ what: String, _ check: () async throws -> Void) async throws {
        let until = ContinuousClock.now.advanced(by: startDeadline)
        var delay = Duration.milliseconds(100)
        while true {
            do {
                return try await check()
            } catch let error as ServiceHTTPError {
                guard ContinuousClock.now < until else {
                    throw ConnectionFailure.refused("\(what) does not answer: \(error.message)")
                }
            }
            try await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(1))
        }
    }

    /// `name:tag` of an image reference (a registry host's port is not a tag).
    static func split(_ image: String) -> (String, String) {
        let lastSlash = image.lastIndex(of: "/") ?? image.startIndex
        guard let colon = image[lastSlash...].lastIndex(of: ":") else { return (image, "latest") }
        return (String(image[..<colon]), String(image[image.index(after: colon)...]))
    }
}
