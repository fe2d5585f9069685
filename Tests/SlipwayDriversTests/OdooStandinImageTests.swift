import Foundation
import SlipwayDrivers
import SlipwayTesting
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The images `scripts/images debian odoo-standin` builds, run as a deployment will run them: PostgreSQL
/// from the Debian image on a network of the test's own, the Odoo stand-in serving beside it with a
/// generated `odoo.conf`, and one-off `-u ... --stop-after-init` containers that succeed or fail.
@Suite("Odoo stand-in image: health, notes and filestore, module updates", .tags(.docker))
struct OdooStandinImageTests {
    static let database = "shop"

    @Test("serves its health and notes once PostgreSQL answers; -u records modules, a failing module exits 1")
    func servesAndUpdatesModules() async throws {
        try await DockerTestEngine.ensureOdooStandinImage()
        try await DockerTestContext.run { docker in
            let client = docker.client
            let network = DockerTestEngine.uniqueName("net")
            try await client.createNetwork(network, labels: docker.environmentLabels)
            let password = "pw-\(UUID().uuidString)"
            let postgres = try await Self.startPostgres(docker, network: network, password: password)
            let config = try Self.odooConfig(password: password)

            // The server: CMD `odoo` through the image's entrypoint, the config copied in before the start.
            let server = try await client.createContainer(
                ContainerSpec(
                    name: DockerTestEngine.uniqueName("odoo"), image: DockerTestEngine.odooStandinImage,
                    ports: [.init(containerPort: 8069)], networks: [.init(network: network)]),
                labels: docker.labels)
            try await client.copyIntoContainer(server, archive: config, directory: "/etc/odoo")
            try await client.startContainer(server)
            let published = try await client.inspectContainer(server).networkSettings?.ports?["8069/tcp"] ?? nil
            let port = try #require(published?.first.flatMap { Int($0.hostPort) })
            let base = try #require(URL(string: "http://127.0.0.1:\(port)"))

            let healthy = try await eventually(timeout: .seconds(60)) {
                guard let answer = try? await Self.http("GET", base.appendingPathComponent("web/health")),
                    answer.status == 200
                else { return false }
                return (try? JSONDecoder().decode([String: String].self, from: answer.body)) == ["status": "pass"]
            }
            guard healthy else {
                throw Failure("no passing /web/health within 60 s: \(try await Self.logText(client, server))")
            }

            // A note goes to the database and, as an attachment would, to the filestore.
            let text = "first note — it's \"quoted\" & ü"
            let (created, createdBody) = try await Self.http(
                "POST", base.appendingPathComponent("standin/notes"),
                json: try JSONEncoder().encode(["text": text]))
            #expect(created == 201, "\(String(decoding: createdBody, as: UTF8.self))")
            let note = try JSONDecoder().decode(NoteAnswer.self, from: createdBody)

            let (listed, listBody) = try await Self.http("GET", base.appendingPathComponent("standin/notes"))
            #expect(listed == 200)
            let page = try JSONDecoder().decode(NotesPage.self, from: listBody)
            #expect(page.notes.map(\.id) == [note.id])
            #expect(page.notes.first?.text == text)
            #expect(page.notes.first?.file == note.file)

            let (_, filesBody) = try await Self.http("GET", base.appendingPathComponent("standin/files"))
            let files = try JSONDecoder().decode(FilesPage.self, from: filesBody)
            #expect(files.files.map(\.file) == [note.file])
            #expect(files.files.first?.size == text.utf8.count)
            let stored = try await client.exec(
                server, command: ["cat", "/var/lib/odoo/filestore/\(Self.database)/\(note.file)"])
            #expect(stored.exitCode == 0, "\(stored.stderr)")
            #expect(stored.stdout == text)

            // One line per request, and never the database password.
            let logs = try await Self.logText(client, server)
            #expect(logs.contains("\"GET /web/health HTTP/1.1\" 200"))
            #expect(logs.contains("\"POST /standin/notes HTTP/1.1\" 201"))
            #expect(!logs.contains(password))

            // A module update as a deploy runs it: a one-off container with the same config.
            let update = try await Self.runOnce(
                docker, network: network, config: config, arguments: ["-u", "mod_a,mod_b"])
            #expect(update.exitCode == 0, "\(update.logs)")
            #expect(update.logs.contains("updating module mod_a"))
            #expect(update.logs.contains("updating module mod_b"))
            #expect(try await Self.updatedModules(client, postgres, password: password) == ["mod_a", "mod_b"])

            // A failing module: exit 1, after the module before it touched the database.
            let failed = try await Self.runOnce(
                docker, network: network, config: config, arguments: ["-u", "mod_c,mod_d,mod_e"],
                environment: ["STANDIN_FAIL_MODULES": "mod_x,mod_d"])
            #expect(failed.exitCode == 1, "\(failed.logs)")
            #expect(failed.logs.contains("module mod_d: update failed"))
            #expect(!failed.logs.contains("updating module mod_e"))
            #expect(
                try await Self.updatedModules(client, postgres, password: password) == [
                    "mod_a", "mod_b", "mod_c",
                ])

            // SIGTERM stops the server at once, cleanly.
            let clock = ContinuousClock()
            let stopping = clock.now
            try await client.stopContainer(server, timeout: .seconds(20))
            #expect(clock.now - stopping < .seconds(10))
            #expect(try await client.waitForContainer(server, timeout: .seconds(10)) == 0)
        }
    }

    // MARK: - Helpers

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    struct NoteAnswer: Decodable {
        let id: Int
        let file: String
    }

    struct NotesPage: Decodable {
        struct Note: Decodable {
            let id: Int
            let text: String
            let file: String
        }
        let notes: [Note]
    }

    struct FilesPage: Decodable {
        struct File: Decodable {
            let file: String
            let size: Int
        }
        let files: [File]
    }

    /// PostgreSQL from the Debian image, reachable as `db` on `network`: initdb and the server run as the
    /// `postgres` user; the superuser `odoo` logs in with `password` over TCP (scram-sha-256). Returns once
    /// it answers a query with that password.
    static func startPostgres(_ docker: DockerTestContext, network: String, password: String) async throws -> String {
        // The password arrives through the environment, never inside the script's text.
        let script = """
            set -eu
            data=/var/lib/postgresql/data
            mkdir -p "$data" /run/postgresql
            chown postgres:postgres "$data" /run/postgresql
            printf '%s\\n' "$POSTGRES_PASSWORD" >/tmp/pwfile
            chown postgres /tmp/pwfile
            runuser -u postgres -- initdb -D "$data" -U odoo --pwfile=/tmp/pwfile \\
                --auth-local=peer --auth-host=scram-sha-256 >/dev/null
            rm -f /tmp/pwfile
            echo 'host all all all scram-sha-256' >>"$data/pg_hba.conf"
            exec runuser -u postgres -- postgres -D "$data" -c listen_addresses='*' -k /run/postgresql
            """
        let id = try await docker.client.createContainer(
            ContainerSpec(
                name: DockerTestEngine.uniqueName("postgres"), image: DockerTestEngine.debianPostgresImage,
                command: ["bash", "-c", script], environment: ["POSTGRES_PASSWORD": password],
                networks: [.init(network: network, aliases: ["db"])]),
            labels: docker.labels)
        try await docker.client.startContainer(id)
        let ready = try await eventually(timeout: .seconds(60)) {
            (try? await psql(docker.client, id, password: password, database: "postgres", "SELECT 1"))?.exitCode == 0
        }
        guard ready else {
            throw Failure("PostgreSQL did not answer: \(try await logText(docker.client, id))")
        }
        return id
    }

    /// An Odoo-style `odoo.conf` as a deployment writes it, in an archive for `/etc/odoo`.
    static func odooConfig(password: String) throws -> TarArchive {
        let text = """
            [options]
            db_host = db
            db_port = 5432
            db_user = odoo
            db_password = \(password)
            db_name = \(database)
            data_dir = /var/lib/odoo
            addons_path = /mnt/extra-addons
            http_port = 8069
            workers = 0
            limit_memory_hard = 2684354560
            limit_memory_soft = 2147483648
            proxy_mode = True
            list_db = False

            """
        var archive = TarArchive()
        // Owned by root in the archive: readable by the image's user odoo.
        try archive.addFile("odoo.conf", text: text, mode: 0o644)
        return archive
    }

    /// Runs `odoo -c /etc/odoo/odoo.conf -d shop ARGUMENTS --stop-after-init` in a one-off container and
    /// returns its exit code and output.
    static func runOnce(
        _ docker: DockerTestContext, network: String, config: TarArchive, arguments: [String],
        environment: [String: String] = [:]
    ) async throws -> (exitCode: Int, logs: String) {
        let id = try await docker.client.createContainer(
            ContainerSpec(
                image: DockerTestEngine.odooStandinImage,
                command: ["odoo", "-c", "/etc/odoo/odoo.conf", "-d", database] + arguments + ["--stop-after-init"],
                environment: environment, networks: [.init(network: network)]),
            labels: docker.labels)
        try await docker.client.copyIntoContainer(id, archive: config, directory: "/etc/odoo")
        try await docker.client.startContainer(id)
        let exitCode = try await docker.client.waitForContainer(id, timeout: .seconds(90))
        return (exitCode, try await logText(docker.client, id))
    }

    /// The modules `standin_module_updates` records, in the order they were updated.
    static func updatedModules(_ client: DockerClient, _ postgres: String, password: String) async throws -> [String] {
        let result = try await psql(
            client, postgres, password: password, database: database,
            "SELECT module FROM standin_module_updates WHERE updated_at IS NOT NULL ORDER BY id")
        try #require(result.exitCode == 0, "\(result.stderr)")
        return result.stdout.split(separator: "\n").map(String.init)
    }

    /// `psql` as `odoo` over TCP with its password, inside the PostgreSQL container.
    static func psql(
        _ client: DockerClient, _ postgres: String, password: String, database: String, _ statement: String
    ) async throws -> ExecResult {
        try await client.exec(
            postgres,
            command: [
                "psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-U", "odoo", "-d", database,
                "-c", statement,
            ],
            environment: ["PGPASSWORD": password], timeout: .seconds(20))
    }

    static func logText(_ client: DockerClient, _ container: String) async throws -> String {
        try await client.logs(container).collect().map(\.text).joined(separator: "\n")
    }

    /// One request with a short timeout; the answer's status and body.
    static func http(_ method: String, _ url: URL, json: Data? = nil) async throws -> (status: Int, body: Data) {
        var request = URLRequest(url: url, timeoutInterval: 10)
        request.httpMethod = method
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        if let json {
            request.httpBody = json
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (body, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, body)
    }
}
