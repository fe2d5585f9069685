import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import SlipwayCore
import SlipwayEngine
import SlipwayStore

/// `slipway serve`: the store, the first-start owner, the HTTP API, run as services in one
/// ServiceGroup that shuts down gracefully on SIGTERM and SIGINT.
public enum ControlPlane {
    public struct Configuration: Sendable {
        public var dataDirectory: String
        public var host: String
        public var port: Int
        public var databaseURL: String?
        public var secretKey: String?
        /// Whether this control plane runs queued jobs and health checks (which connect to servers).
        /// Off only for API contract tests that register made-up servers.
        public var runsJobs: Bool
        public var healthCheckInterval: Duration
        /// The images of the registry and Caddy that verification starts on each server.
        public var serviceImages: ServiceImages
        /// Where local backup destinations may be (this directory and below); nil means
        /// `DATA_DIR/backups`.
        public var backupRoot: String?
        /// How long a job's lease lasts: a job whose control plane died is taken over once it runs out.
        public var jobLease: TimeInterval = 30

        public init(
            dataDirectory: String, host: String, port: Int, databaseURL: String?, secretKey: String?,
            runsJobs: Bool = true,
            healthCheckInterval: Duration = .seconds(30), serviceImages: ServiceImages = ServiceImages(),
            backupRoot: String? = nil
        ) {
            self.serviceImages = serviceImages
            self.backupRoot = backupRoot
            self.dataDirectory = dataDirectory
            self.host = host
            self.port = port
            self.databaseURL = databaseURL
            self.secretKey = secretKey
            self.runsJobs = runsJobs
            self.healthCheckInterval = healthCheckInterval
        }
    }

    /// The router with every route of `RouteTable` and the shared middleware.
    public static func makeRouter(backend: Backend) -> Router<AppContext> {
        let router = Router(context: AppContext.self)
        router.add(middleware: RequestIdMiddleware())
        RouteInstaller(backend: backend, authenticator: Authenticator(store: backend.store, clock: backend.clock))
            .install(RouteTable.all, on: router)
        return router
    }

    public static func makeApplication(
        backend: Backend, host: String, port: Int, logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: makeRouter(backend: backend),
            configuration: .init(address: .hostname(host, port: port), serverName: "slipway"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    /// Opens the store and the secret key, runs the first start when the store is empty, and serves until a signal.
    public static func run(
        _ configuration: Configuration, logger: Logger, announce: @escaping @Sendable (String) -> Void
    ) async throws {
        let store = try await SQLStore.open(
            dataDirectory: configuration.dataDirectory, databaseURL: configuration.databaseURL, logger: logger)
        do {
            let secrets = try SecretBox.load(
                environmentValue: configuration.secretKey, dataDirectory: configuration.dataDirectory)
            if let first = try await FirstStart.runIfNeeded(store: store, dataDirectory: configuration.dataDirectory) {
                announce(
                    """
                    First start: created the owner, the organization '\(first.organization.slug)' and this personal access token.
                    It is shown once (and saved to \(first.tokenFile), mode 0600):

                        \(first.token)

                    """)
                if configuration.runsJobs {
                    // The local machine verifies itself right away: Docker, the registry and Caddy.
                    try await store.enqueueJob(
                        Job(
                            organizationId: first.organization.id, kind: .serverVerify,
                            subjectId: first.localServer.id))
                }
            }
            let ssh = SSHServerConnector(logger: logger)
            let instances = InstanceOperations(
                store: store, secrets: secrets, ssh: ssh, images: configuration.serviceImages, logger: logger)
            let backupRoot = URL(
                fileURLWithPath: configuration.backupRoot ?? configuration.dataDirectory + "/backups"
            ).standardized.path
            let backend = Backend(store: store, secrets: secrets, instances: instances, backupRoot: backupRoot)
            let host = configuration.host
            let app = makeApplication(backend: backend, host: host, port: configuration.port, logger: logger) { port in
                announce("Slipway is listening on http://\(host):\(port)")
            }
            var services: [any Service] = [app]
            if configuration.runsJobs {
                let pipeline = DeploymentPipeline(snapshots: backend.snapshots, logger: logger)
                services.append(
                    JobRunner(
                        store: store,
                        handlers: [
                            ServerVerifier(
                                store: store, secrets: secrets, ssh: ssh, images: configuration.serviceImages)
                        ] + InstanceJobHandler.all(instances)
                            + SnapshotJobHandler.all(backend.snapshots) + BackupJobHandler.all(backend.backups)
                            + [DeploymentJobHandler(pipeline: pipeline)],
                        logger: logger))
                services.append(DeploymentSweeper(pipeline: pipeline, logger: logger))
                services.append(InstanceReconciler(operations: instances, logger: logger))
                services.append(BackupScheduler(store: store, logger: logger))
                services.append(
                    ServerHealthCheck(
                        store: store, secrets: secrets, ssh: ssh, interval: configuration.healthCheckInterval,
                        logger: logger))
            }
            let group = ServiceGroup(
                configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
            await ssh.closeAll()
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
        logger.info("stopped")
    }
}
