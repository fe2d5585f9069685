import ArgumentParser
import Foundation
import Logging
import SlipwayEngine
import SlipwayServer

/// `slipway serve`: runs the control plane.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the Slipway control plane.",
        discussion: """
            On first start with an empty store it creates the owner, the organization 'default' and a personal \
            access token, prints the token once and writes it to DATA_DIR/initial-token (mode 0600).
            """)

    @Option(help: "Where the embedded database, secret key and initial token live.")
    var dataDir: String = "./.slipway"

    @Option(help: "The TCP port to listen on (0 picks a free one).")
    var port: Int = 8080

    @Option(help: "The address to listen on.")
    var host: String = "127.0.0.1"

    @Option(
        help: "A postgres:// URL to use PostgreSQL instead of the embedded SQLite (default: $SLIPWAY_DATABASE_URL).")
    var databaseUrl: String?

    @Flag(help: .hidden)
    var noJobRunner = false

    @Option(
        help: "The image of Docker's registry started on each server (default: $SLIPWAY_REGISTRY_IMAGE or registry:2).")
    var registryImage: String?

    @Option(help: "The image of Caddy started on each server (default: $SLIPWAY_PROXY_IMAGE or caddy:2).")
    var proxyImage: String?

    @Option(
        help:
            "The PostgreSQL image of each server's database service (default: $SLIPWAY_DATABASE_IMAGE or postgres:16).")
    var databaseImage: String?

    @Option(
        help:
            "The directory local backup destinations must be in (default: $SLIPWAY_BACKUP_ROOT or DATA_DIR/backups).")
    var backupRoot: String?

    @Option(
        help:
            "Seconds a job's lease lasts: a deployment whose control plane died is taken over once it runs out (default: $SLIPWAY_JOB_LEASE or 30)."
    )
    var jobLease: Double?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        if let jobLease, !(1...3600).contains(jobLease) {
            throw ValidationError("--job-lease must be between 1 and 3600 seconds")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "slipway")
        let environment = ProcessInfo.processInfo.environment
        var configuration = ControlPlane.Configuration(
            dataDirectory: dataDir, host: host, port: port,
            databaseURL: databaseUrl ?? environment["SLIPWAY_DATABASE_URL"],
            secretKey: environment["SLIPWAY_SECRET_KEY"], runsJobs: !noJobRunner,
            serviceImages: ServiceImages(
                registry: registryImage ?? environment["SLIPWAY_REGISTRY_IMAGE"] ?? ServiceImages.officialRegistry,
                proxy: proxyImage ?? environment["SLIPWAY_PROXY_IMAGE"] ?? ServiceImages.officialProxy,
                database: databaseImage ?? environment["SLIPWAY_DATABASE_IMAGE"] ?? ServiceImages.officialDatabase),
            backupRoot: backupRoot ?? environment["SLIPWAY_BACKUP_ROOT"])
        if let lease = jobLease ?? environment["SLIPWAY_JOB_LEASE"].flatMap(Double.init), (1...3600).contains(lease) {
            configuration.jobLease = lease
        }
        do {
            try await ControlPlane.run(configuration, logger: logger) { message in
                FileHandle.standardOutput.write(Data((message + "\n").utf8))
            }
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(3)
        }
    }
}
