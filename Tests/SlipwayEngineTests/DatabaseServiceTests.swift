import Foundation
import SlipwayCore
import SlipwayDrivers
import SlipwayEngine
import SlipwayTesting
import Testing

/// The database service of a server, against a real engine and the PostgreSQL image `scripts/images`
/// builds from Debian's packages.
@Suite("Database service", .serialized)
struct DatabaseServiceTests {
    static let image = "slipway/postgres:debian"

    /// A server record that is never stored: the service only needs its ids.
    static func server() -> Server {
        Server(
            id: Identifier.make("srv"), organizationId: Identifier.make("org"), name: "db-test", host: "localhost",
            port: 0, user: "root", authMethod: .local)
    }

    /// Runs `body` with the service of a fresh server, then removes everything labelled with that server.
    static func withService(_ body: (DatabaseService, DockerClient) async throws -> Void) async throws {
        try await DockerTestEngine.ensureImages(["postgres"])
        let docker = try await DockerTestEngine.client()
        let server = server()
        try await ServerProvisioningTests.cleaningUp(server) {
            try await body(DatabaseService(docker: docker, server: server, image: image), docker)
        }
    }

    /// Runs SQL as `role` over TCP with its password, inside the service's container.
    static func sql(
        _ docker: DockerClient, _ service: DatabaseService, role: String, password: String, database: String,
        _ statement: String
    ) async throws -> ExecResult {
        try await docker.exec(
            service.containerName,
            command: [
                "psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-U", role, "-d", database,
                "-c", statement,
            ],
            environment: ["PGPASSWORD": password], user: "postgres")
    }

    @Test("each instance's database has its own role, which cannot open another's; data outlives a restart")
    func isolationAndRestart() async throws {
        try await Self.withService { service, docker in
            let superuser = "super-" + UUID().uuidString
            #expect(try await service.ensure(superuserPassword: superuser).contains("created and started"))
            let network = try await docker.inspectNetwork(service.networkName)
            #expect(network.internal == true)
            let container = try await docker.inspectContainer(service.containerName)
            #expect(container.hostConfig.portBindings?.isEmpty ?? true, "no port is published")

            try await service.createDatabase("ins_a", role: "ins_a", password: "pw-a")
            try await service.createDatabase("ins_b", role: "ins_b", password: "pw-b")
            #expect(try await service.databases() == ["ins_a", "ins_b"])

            let created = try await Self.sql(
                docker, service, role: "ins_a", password: "pw-a", database: "ins_a",
                "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('kept'); SELECT count(*) FROM notes")
            #expect(created.exitCode == 0, "\(created.stderr)")
            let intruder = try await Self.sql(
                docker, service, role: "ins_a", password: "pw-a", database: "ins_b", "SELECT 1")
            #expect(intruder.exitCode != 0)
            #expect(intruder.stderr.contains("permission denied for database"), "\(intruder.stderr)")
            let wrongPassword = try await Self.sql(
                docker, service, role: "ins_b", password: "pw-a", database: "ins_b", "SELECT 1")
            #expect(wrongPassword.stderr.contains("password authentication failed"), "\(wrongPassword.stderr)")

            try await docker.stopContainer(service.containerName)
            #expect(try await service.ensure(superuserPassword: superuser).contains("started again"))
            let after = try await Self.sql(
                docker, service, role: "ins_a", password: "pw-a", database: "ins_a", "SELECT text FROM notes")
            #expect(after.stdout == "kept")

            try await service.dropDatabase("ins_b", role: "ins_b")
            #expect(try await service.databases() == ["ins_a"])
        }
    }

    @Test("hostile role names and passwords reach PostgreSQL exactly as given")
    func hostileNames() async throws {
        try await Self.withService { service, docker in
            try await service.ensure(superuserPassword: UUID().uuidString)
            let role = #"o'brien "x"; DROP ROLE postgres; --"#
            let password = #"p'a"s\s $(reboot) `id` ; | \n é"#
            try await service.createDatabase("hostile db", role: role, password: password)
            let whoami = try await Self.sql(
                docker, service, role: role, password: password, database: "hostile db", "SELECT current_user")
            #expect(whoami.exitCode == 0, "\(whoami.stderr)")
            #expect(whoami.stdout == role)
            #expect(throws: PostgresQuoting.Refused.self) {
                try PostgresQuoting.literal("nul\0byte")
            }
            #expect(throws: PostgresQuoting.Refused.self) {
                try PostgresQuoting.identifier(String(repeating: "x", count: 64))
            }
        }
    }
}
