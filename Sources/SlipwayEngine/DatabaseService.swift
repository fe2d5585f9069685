import Foundation
import SlipwayCore
import SlipwayDrivers

/// The PostgreSQL service of a server: one container per server (`slipway-postgres-SERVERID`), its
/// data on a named volume, reachable only on the server's private network `slipway-db-SERVERID`
/// (no published port): instances join that network and reach it as `slipway-postgres`. Each
/// instance gets a database and a role of its own; `PUBLIC` may not connect to it, so one instance's
/// role cannot open another's database.
///
/// Statements run with `psql` inside the container as the OS user `postgres` (peer authentication on
/// the local socket, no password on any command line); names and passwords reach the SQL only
/// through ``PostgresQuoting``.
public struct DatabaseService: Sendable {
    /// The host name instances reach the service by, on its network.
    public static let hostName = "slipway-postgres"

    let docker: DockerClient
    let server: Server
    let image: String
    var startDeadline: Duration = .seconds(60)

    public init(docker: DockerClient, server: Server, image: String) {
        self.docker = docker
        self.server = server
        self.image = image
    }

    public var containerName: String { "slipway-postgres-\(server.id)" }
    public var networkName: String { "slipway-db-\(server.id)" }
    var volumeName: String { "slipway-postgres-\(server.id)-data" }
    /// The server's Slipway directory for snapshots: a volume, mounted in the service's container at
    /// ``snapshotDirectory``, so `pg_dump` and `pg_restore` run in the container whose version matches.
    public var snapshotVolume: String { "slipway-snapshots-\(server.id)" }
    public static let snapshotDirectory = "/var/lib/slipway/snapshots"

    var labels: SlipwayLabels {
        .service(organizationId: server.organizationId, serverId: server.id, service: "database")
    }

    /// Makes the service run: adopts its container, starts it when stopped, or creates network, volume
    /// and container with `superuserPassword` (used only when the data volume is new). Returns what it did
    /// once PostgreSQL accepts connections; a container that already ran is not asked again unless
    /// `checkingRunning` (a caller whose first command waits for it itself saves an exec).
    @discardableResult
    public func ensure(superuserPassword: String, checkingRunning: Bool = true) async throws -> String {
        let did: String
        var wasRunning = false
        if let existing = try await existingContainer() {
            guard SlipwayLabels.isManaged(existing.config.labels) else {
                throw DockerError(
                    .notManaged, message: "a container named \(containerName) exists and is not Slipway's",
                    operation: "ensure database")
            }
            if !(existing.mounts ?? []).contains(where: { $0.destination == Self.snapshotDirectory }) {
                // Made before snapshots: made again with the snapshot volume (its data volume stays).
                try await docker.removeContainer(existing.id, force: true)
                did = try await create(superuserPassword: superuserPassword) + " (again, with the snapshot volume)"
            } else if existing.state.running {
                did = "\(containerName) already runs"
                wasRunning = true
            } else {
                try await docker.startContainer(existing.id)
                did = "\(containerName) was stopped and is started again"
            }
        } else {
            did = try await create(superuserPassword: superuserPassword)
        }
        if checkingRunning || !wasRunning { try await waitUntilReady() }
        return did
    }

    private func create(superuserPassword: String) async throws -> String {
        try await ensureNetwork()
        try await docker.createVolume(volumeName, labels: labels)
        try await docker.createVolume(snapshotVolume, labels: labels)
        let spec = ContainerSpec(
            name: containerName, image: image,
            environment: ["POSTGRES_PASSWORD": superuserPassword, "PGDATA": "/var/lib/postgresql/data"],
            mounts: [
                .volume(name: volumeName, target: "/var/lib/postgresql/data"),
                .volume(name: snapshotVolume, target: Self.snapshotDirectory),
            ],
            networks: [.init(network: networkName, aliases: [Self.hostName])],
            restartPolicy: .unlessStopped, stopTimeoutSeconds: 30)
        let id = try await docker.createContainer(spec, labels: labels)
        do {
            try await docker.startContainer(id)
        } catch {
            try? await docker.removeContainer(id, force: true)
            throw error
        }
        return "\(containerName) created and started"
    }

    /// Creates `role` (with `password`) and `database` owned by it, closed to every other role. Creating
    /// what already exists with the same owner only sets the password again.
    public func createDatabase(_ database: String, role: String, password: String) async throws {
        let roleName = try PostgresQuoting.identifier(role)
        let databaseName = try PostgresQuoting.identifier(database)
        let roleExists =
            try await query(
                "SELECT 1 FROM pg_roles WHERE rolname = \(try PostgresQuoting.literal(role))") == "1"
        try await execute(
            roleExists
                ? "ALTER ROLE \(roleName) WITH LOGIN PASSWORD \(try PostgresQuoting.literal(password))"
                : "CREATE ROLE \(roleName) WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD \(try PostgresQuoting.literal(password))"
        )
        let databaseExists =
            try await query(
                "SELECT 1 FROM pg_database WHERE datname = \(try PostgresQuoting.literal(database))") == "1"
        if !databaseExists {
            // CREATE DATABASE cannot run in a transaction block, so it is a statement of its own.
            try await execute("CREATE DATABASE \(databaseName) OWNER \(roleName) ENCODING 'UTF8' TEMPLATE template0")
        }
        try await execute("REVOKE ALL ON DATABASE \(databaseName) FROM PUBLIC")
        try await execute("GRANT ALL ON DATABASE \(databaseName) TO \(roleName)")
    }

    /// Drops `database` and `role` (connections to it are ended first). Missing ones are fine.
    public func dropDatabase(_ database: String, role: String) async throws {
        try await execute("DROP DATABASE IF EXISTS \(try PostgresQuoting.identifier(database)) WITH (FORCE)")
        try await execute("DROP ROLE IF EXISTS \(try PostgresQuoting.identifier(role))")
    }

    /// The databases of the service (not PostgreSQL's own).
    public func databases() async throws -> [String] {
        try await query("SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres' ORDER BY 1")
            .split(separator: "\n").map(String.init)
    }

    /// Runs one statement as the superuser; a failure throws PostgreSQL's message.
    func execute(_ sql: String) async throws {
        _ = try await psql(["-c", sql])
    }

    /// Runs one query as the superuser and returns its rows, unaligned, one per line.
    func query(_ sql: String) async throws -> String {
        try await psql(["-A", "-t", "-c", sql]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs a program in the service's container (as `postgres` unless told otherwise); a non-zero exit
    /// throws its standard error.
    @discardableResult
    public func run(_ argv: [String], user: String = "postgres", timeout: Duration = .seconds(3600)) async throws
        -> String
    {
        let result = try await docker.exec(containerName, command: argv, user: user, timeout: timeout)
        guard result.exitCode == 0 else {
            throw DatabaseServiceError(
                message: "\(argv.first ?? "") exited \(result.exitCode): \(result.stderr.suffix(2_000))")
        }
        return result.stdout
    }

    private func psql(_ arguments: [String]) async throws -> String {
        let result = try await docker.exec(
            containerName, command: ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", "postgres"] + arguments,
            user: "postgres", timeout: .seconds(60))
        guard result.exitCode == 0 else {
            throw DatabaseServiceError(
                message: result.stderr.isEmpty ? "psql exited \(result.exitCode)" : result.stderr)
        }
        return result.stdout
    }

    private func existingContainer() async throws -> ContainerDetails? {
        do {
            return try await docker.inspectContainer(containerName)
        } catch let error as DockerError where error.kind == .notFound {
            return nil
        }
    }

    private func ensureNetwork() async throws {
        do {
            let network = try await docker.inspectNetwork(networkName)
            guard SlipwayLabels.isManaged(network.labels) else {
                throw DockerError(
                    .notManaged, message: "a network named \(networkName) exists and is not Slipway's",
                    operation: "ensure database")
            }
        } catch let error as DockerError where error.kind == .notFound {
            try await docker.createNetwork(networkName, labels: labels, internal: true)
        }
    }

    /// Waits until PostgreSQL answers a query (a fresh cluster takes a few seconds to initialize).
    private func waitUntilReady() async throws {
        let until = ContinuousClock.now.advanced(by: startDeadline)
        var lastError = ""
        while ContinuousClock.now < until {
            do {
                if try await query("SELECT 1") == "1" { return }
            } catch let error as DatabaseServiceError {
                lastError = error.message
            } catch let error as DockerError where error.kind == .conflict {
                // Exec into a container that is still starting (or restarting).
                lastError = error.message
            }
            try await Task.sleep(for: .milliseconds(300))
        }
        let logs = (try? await docker.logs(containerName, tail: 20).collect().map(\.text).joined(separator: "\n")) ?? ""
        throw DatabaseServiceError(
            message: "PostgreSQL in \(containerName) is not ready after \(startDeadline): \(lastError)\n\(logs)")
    }
}

/// PostgreSQL refused a statement, or the service did not come up.
public struct DatabaseServiceError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
