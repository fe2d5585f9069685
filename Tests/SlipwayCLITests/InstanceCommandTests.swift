import Foundation
import SlipwayCore
import SlipwayTesting
import Testing

@testable import SlipwayCLI

/// `slipway instance` in-process against a live control plane without a job runner: what is sent, what
/// is printed, what is refused. Where a command waits on a job, the test plays the job runner through the
/// store; real provisioning is the engine's end-to-end tests' business.
@Suite("instance commands")
struct InstanceCommandTests {
    /// A project of `kind` with an environment, and an active server whose Caddy serves on `proxyHTTPPort`.
    struct Fixture: Sendable {
        var environmentId: String
        var serverId: String
    }

    static func fixture(
        _ plane: TestControlPlane, kind: Project.Kind = .odoo, proxyHTTPPort: Int = 8080
    ) async throws -> Fixture {
        let organizationId = plane.organization.id
        let server = Server(
            organizationId: organizationId, name: "web1", host: "10.0.0.5", user: "deploy", authMethod: .password,
            proxyHTTPPort: proxyHTTPPort)
        try await plane.store.createServer(server, encryptedCredential: "v1:sealed")
        try await markActive(plane, serverId: server.id)
        let project = Project(organizationId: organizationId, name: "Shop", repoUrl: "https://h.test/a.git", kind: kind)
        try await plane.store.createProject(project)
        let environment = SlipwayCore.Environment(
            organizationId: organizationId, projectId: project.id, name: "Production", type: .production,
            branch: "main")
        try await plane.store.createEnvironment(environment)
        return Fixture(environmentId: environment.id, serverId: server.id)
    }

    /// What `markActive` in the server tests does: verification's outcome, written through the store.
    static func markActive(_ plane: TestControlPlane, serverId: String) async throws {
        var server = try #require(try await plane.store.server(organizationId: plane.organization.id, id: serverId))
        server.status = .active
        _ = try await plane.store.updateServer(server)
    }

    /// `instance create ... --json` and the instance it answered.
    static func create(
        _ cli: InProcessCLI, _ fixture: Fixture, name: String = "shop-web", _ extra: [String] = []
    ) async throws -> Instance {
        let result = await cli.run(
            [
                "instance", "create", "--environment", fixture.environmentId, "--name", name, "--server",
                fixture.serverId, "--json",
            ] + extra)
        try #require(result.code == 0, "\(result.err)")
        return try JSONCoding.decoder().decode(Instance.self, from: Data(result.out.utf8))
    }

    @Test("create queues provisioning on an active server; list and show print it, with its URLs")
    func createListShow() async throws {
        try await ServerCommandTests.withCLI { plane, cli, _ in
            let fixture = try await Self.fixture(plane)
            let created = await cli.run([
                "instance", "create", "--environment", fixture.environmentId, "--name", "shop-web", "--server",
                fixture.serverId, "--domain", "shop.example.test", "--env", "LOG_LEVEL=info", "--env",
                "GREETING=a=b c",
            ])
            try #require(created.code == 0, "\(created.err)")
            #expect(created.out.contains("creating"), "\(created.out)")
            #expect(created.err.contains("Provisioning is queued"), "\(created.err)")
            let instances = try await plane.store.instances(
                organizationId: plane.organization.id, environmentId: fixture.environmentId)
            let instance = try #require(instances.first)
            #expect(instances.count == 1)
            // An Odoo project's defaults, and the pairs as given (split at the first '=').
            #expect(instance.port == 8069 && instance.healthPath == "/web/health")
            #expect(instance.env == ["LOG_LEVEL": "info", "GREETING": "a=b c"])
            #expect(instance.domains == ["shop.example.test"])
            let jobs = try await plane.store.jobs(organizationId: plane.organization.id, subjectId: instance.id)
            #expect(jobs.map(\.kind) == [.instanceProvision])

            let list = await cli.run(["instance", "list", "--environment", fixture.environmentId])
            #expect(list.code == 0, "\(list.err)")
            let lines = list.out.split(separator: "\n").map(String.init)
            #expect(lines.first?.hasPrefix("ID") == true && lines.first?.contains("STATUS") == true)
            #expect(lines.count == 2 && lines[1].contains(instance.id) && lines[1].contains("creating"), "\(list.out)")
            let byShortFlag = await cli.run(["instance", "list", "--env", fixture.environmentId, "--json"])
            let listed = try JSONCoding.decoder().decode(ItemList<Instance>.self, from: Data(byShortFlag.out.utf8))
            #expect(listed.items.map(\.id) == [instance.id])

            let shown = await cli.run(["instance", "show", instance.id])
            #expect(shown.code == 0, "\(shown.err)")
            for text in [
                "status:", "creating", "port:", "8069", "/web/health", "shop.example.test", "GREETING=a=b c",
                "LOG_LEVEL=info", "databaseName:", instance.databaseName ?? "?", "secretNames:",
                "http://\(instance.defaultDomain):8080/", "http://shop.example.test:8080/",
            ] {
                #expect(shown.out.contains(text), "show should print \(text): \(shown.out)")
            }
            let empty = await cli.run(["instance", "list", "--environment", "env_none"])
            #expect(empty.code == 1)
            #expect(empty.err.contains("slipway env list"), "\(empty.err)")
        }
    }

    @Test("a generic project's instance needs --port, and the server must be active; the errors say how")
    func refusals() async throws {
        try await ServerCommandTests.withCLI { plane, cli, _ in
            let fixture = try await Self.fixture(plane, kind: .generic)
            let base = [
                "instance", "create", "--environment", fixture.environmentId, "--name", "api", "--server",
                fixture.serverId,
            ]
            let noPort = await cli.run(base)
            #expect(noPort.code == 1)
            #expect(noPort.err.contains("(field: port)"), "\(noPort.err)")
            #expect(noPort.err.contains("hint: pass --port"), "\(noPort.err)")

            let pending = Server(
                organizationId: plane.organization.id, name: "web2", host: "10.0.0.6", user: "deploy",
                authMethod: .password)
            try await plane.store.createServer(pending, encryptedCredential: "v1:sealed")
            let inactive = await cli.run([
                "instance", "create", "--environment", fixture.environmentId, "--name", "api", "--server", pending.id,
                "--port", "8080",
            ])
            #expect(inactive.code == 1)
            #expect(inactive.err.contains("slipway server verify \(pending.id)"), "\(inactive.err)")
            #expect(inactive.err.contains("--server"), "\(inactive.err)")
            #expect(
                try await plane.store.instances(
                    organizationId: plane.organization.id, environmentId: fixture.environmentId
                ).isEmpty)

            let generic = try await Self.create(cli, fixture, name: "api", ["--port", "8080", "--health-path", "/up"])
            #expect(generic.port == 8080 && generic.healthPath == "/up" && generic.kind == .generic)
            // No image yet: nothing to start.
            let start = await cli.run(["instance", "start", generic.id])
            #expect(start.code == 1)
            #expect(start.err.contains("no image"), "\(start.err)")
            #expect(start.err.contains("hint: "), "\(start.err)")
        }
    }

    @Test("a secret set from standard input or a file is listed by name, never by value")
    func secrets() async throws {
        try await ServerCommandTests.withCLI { plane, cli, directory in
            let instance = try await Self.create(cli, try await Self.fixture(plane))
            let value = "s3cr3t-'$(touch /tmp/x)'-value"
            var piped = cli
            piped.stdin = Data((value + "\n").utf8)
            let set = await piped.run(["instance", "secret", "set", instance.id, "API_TOKEN"])
            #expect(set.code == 0, "\(set.err)")
            #expect(set.out.contains("API_TOKEN") && set.out.contains("restart"), "\(set.out)")

            let path = directory.path + "/db-password"
            try Data("from a file\n".utf8).write(to: URL(fileURLWithPath: path))
            let fromFile = await cli.run([
                "instance", "secret", "set", instance.id, "DB_PASSWORD", "--value-file", path,
            ])
            #expect(fromFile.code == 0, "\(fromFile.err)")

            let sealed = try await plane.store.encryptedInstanceSecrets(
                organizationId: plane.organization.id, instanceId: instance.id)
            #expect(try sealed["API_TOKEN"].map(plane.backend.secrets.open) == value, "one final line break is dropped")
            #expect(try sealed["DB_PASSWORD"].map(plane.backend.secrets.open) == "from a file")

            let shown = await cli.run(["instance", "show", instance.id])
            let json = await cli.run(["instance", "show", instance.id, "--json"])
            #expect(shown.out.contains("API_TOKEN, DB_PASSWORD"), "\(shown.out)")
            for output in [shown.out, json.out, set.out, set.err] {
                #expect(!output.contains("s3cr3t") && !output.contains("from a file"))
            }

            var emptyInput = cli
            emptyInput.stdin = Data("\n".utf8)
            let empty = await emptyInput.run(["instance", "secret", "set", instance.id, "EMPTY"])
            #expect(empty.code == 1)
            #expect(empty.err.contains("empty value") && empty.err.contains("--value-file"), "\(empty.err)")
            let badName = await piped.run(["instance", "secret", "set", instance.id, "NOT-A-NAME"])
            #expect(badName.code == 2, "\(badName.err)")

            let removed = await cli.run(["instance", "secret", "remove", instance.id, "API_TOKEN"])
            #expect(removed.code == 0, "\(removed.err)")
            let after = await cli.run(["instance", "show", instance.id])
            #expect(!after.out.contains("API_TOKEN") && after.out.contains("DB_PASSWORD"), "\(after.out)")
            let again = await cli.run(["instance", "secret", "remove", instance.id, "API_TOKEN"])
            #expect(again.code == 1)
            #expect(again.err.contains("slipway instance show \(instance.id)"), "\(again.err)")
        }
    }

    @Test("remove asks for --yes, warns about --drop-data, and queues the removal")
    func remove() async throws {
        try await ServerCommandTests.withCLI { plane, cli, _ in
            let fixture = try await Self.fixture(plane)
            let kept = try await Self.create(cli, fixture)
            let organizationId = plane.organization.id

            let unconfirmed = await cli.run(["instance", "remove", kept.id])
            #expect(unconfirmed.code == 2)
            #expect(unconfirmed.err.contains("add --yes to confirm"), "\(unconfirmed.err)")
            let unconfirmedDrop = await cli.run(["instance", "remove", kept.id, "--drop-data"])
            #expect(unconfirmedDrop.code == 2)
            #expect(unconfirmedDrop.err.contains("database and filestore"), "\(unconfirmedDrop.err)")
            #expect(unconfirmedDrop.err.contains("snapshot"), "\(unconfirmedDrop.err)")
            #expect(try await plane.store.instance(organizationId: organizationId, id: kept.id)?.status == .creating)

            let removed = await cli.run(["instance", "remove", kept.id, "--yes"])
            #expect(removed.code == 0, "\(removed.err)")
            #expect(removed.out.contains("its database and filestore stay"), "\(removed.out)")
            #expect(try await plane.store.instance(organizationId: organizationId, id: kept.id)?.status == .removing)
            let keptJobs = try await plane.store.jobs(organizationId: organizationId, subjectId: kept.id)
            #expect(Set(keptJobs.map(\.kind)) == [.instanceProvision, .instanceRemove])

            let dropped = try await Self.create(cli, fixture, name: "shop-staging")
            let purge = await cli.run(["instance", "remove", dropped.id, "--yes", "--drop-data", "--json"])
            #expect(purge.code == 0, "\(purge.err)")
            #expect(purge.err.contains("warning: the database and the filestore"), "\(purge.err)")
            let job = try JSONCoding.decoder().decode(Job.self, from: Data(purge.out.utf8))
            #expect(job.kind == .instancePurge && job.subjectId == dropped.id)

            let removing = await cli.run(["instance", "restart", kept.id])
            #expect(removing.code == 1)
            #expect(removing.err.contains("being removed"), "\(removing.err)")
        }
    }

    @Test("--wait reports how the job ended: the status, its reason and the last lines; exit 1 when it failed")
    func waitReportsTheOutcome() async throws {
        try await ServerCommandTests.withCLI { plane, cli, _ in
            let fixture = try await Self.fixture(plane)
            let organizationId = plane.organization.id
            let arguments = [
                "instance", "create", "--environment", fixture.environmentId, "--name", "shop-web", "--server",
                fixture.serverId, "--image", "odoo:17", "--wait",
            ]
            let (created, _) = try await Self.playingRunner(plane, kind: .instanceProvision, cli: cli, arguments) {
                instance in
                instance.status = .failed
                instance.statusReason = "no answer on /web/health within 90 s"
                instance.lastLogLines = ["odoo: starting", "odoo: \u{1B}[31mdatabase refused\u{1B}[0m"]
                return (.failed, "no answer on /web/health within 90 s")
            }
            #expect(created.code == 1, "\(created.err)")
            #expect(created.out.contains("is failed: no answer on /web/health within 90 s"), "\(created.out)")
            #expect(created.out.contains("last log lines:") && created.out.contains("odoo: starting"), "\(created.out)")
            #expect(!created.out.contains("\u{1B}"), "log lines are sanitized for the terminal")

            let instance = try #require(
                try await plane.store.instances(organizationId: organizationId, environmentId: fixture.environmentId)
                    .first)
            let (started, _) = try await Self.playingRunner(
                plane, kind: .instanceStart, cli: cli, ["instance", "start", instance.id, "--wait"]
            ) { instance in
                instance.status = .running
                instance.statusReason = nil
                instance.activeColor = .blue
                return (.completed, nil)
            }
            #expect(started.code == 0, "\(started.err)")
            #expect(started.out.contains("instance shop-web is running"), "\(started.out)")

            let (removed, _) = try await Self.playingRunner(
                plane, kind: .instanceRemove, cli: cli, ["instance", "remove", instance.id, "--yes", "--wait"]
            ) { _ in (.completed, nil) }
            #expect(removed.code == 0, "\(removed.err)")
            #expect(removed.out.contains("Removed instance \(instance.id)."), "\(removed.out)")

            // Nobody runs the jobs: the wait ends at its deadline and says how to go on watching.
            let late = await cli.run(arguments + ["--timeout", "1"])
            #expect(late.code == 1)
            #expect(late.err.contains("still creating") && late.err.contains("slipway instance show"), "\(late.err)")
            let other = try #require(
                try await plane.store.instances(organizationId: organizationId, environmentId: fixture.environmentId)
                    .first)
            let stuck = await cli.run(["instance", "restart", other.id, "--wait", "--timeout", "1"])
            #expect(stuck.code == 1)
            #expect(stuck.err.contains("still restarting") && stuck.err.contains("queued"), "\(stuck.err)")
        }
    }

    /// Runs the CLI while playing the job runner: claims the first job of `kind`, applies `change` to its
    /// instance (or removes the instance, for a removal) and finishes the job as `change` answers.
    static func playingRunner(
        _ plane: TestControlPlane, kind: Job.Kind, cli: InProcessCLI, _ arguments: [String],
        change: @escaping @Sendable (inout Instance) -> (Job.Status, String?)
    ) async throws -> ((code: Int32, out: String, err: String), Job) {
        async let result = cli.run(arguments)
        let deadline = ContinuousClock.now + .seconds(20)
        var claimed: Job?
        while claimed == nil, ContinuousClock.now < deadline {
            claimed = try await plane.store.claimJob(kinds: [kind], owner: "test", lease: 60, now: Date())
            if claimed == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        let job = try #require(claimed, "no \(kind.rawValue) job was queued")
        var instance = try #require(
            try await plane.store.instance(organizationId: job.organizationId, id: job.subjectId))
        let (status, error) = change(&instance)
        if kind == .instanceRemove {
            _ = try await plane.store.deleteInstance(organizationId: job.organizationId, id: instance.id)
        } else {
            _ = try await plane.store.updateInstance(instance)
        }
        _ = try await plane.store.finishJob(id: job.id, owner: "test", status: status, error: error, at: Date())
        return (await result, job)
    }

    @Test(arguments: [
        ["--env", "LOG_LEVEL"],
        ["--env", "env_0123456789"],
        ["--env", "1ST=x"],
        ["--env", "=value"],
        ["--env", "A=1", "--env", "A=2"],
        ["--env", "NUL=a\u{0}b"],
        ["--port", "0"],
        ["--health-path", "web/health"],
        ["--image", "-v"],
        ["--domain", "not a host"],
        ["--wait", "--timeout", "0"],
    ])
    func badCreateArgumentsAreUsageErrors(extra: [String]) async throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        // Logged in to a (dead) server: the refusal comes before anything is sent.
        let cli = InProcessCLI(home: home.path, extra: ["SLIPWAY_URL": "http://127.0.0.1:1", "SLIPWAY_TOKEN": "t"])
        let result = await cli.run(
            ["instance", "create", "--environment", "env_1", "--name", "web", "--server", "srv_1"] + extra)
        #expect(result.code == 2, "\(extra): \(result.err)")
        #expect(result.err.hasPrefix("error: "), "\(result.err)")
    }

    @Test func malformedEnvPairSaysHowToWriteIt() async throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let cli = InProcessCLI(home: home.path)
        let pair = await cli.run([
            "instance", "create", "--environment", "env_1", "--name", "web", "--server", "srv_1", "--env", "LOG_LEVEL",
        ])
        #expect(pair.err.contains("--env 'LOG_LEVEL' is not KEY=VALUE: write it like --env LOG_LEVEL=info"))
        let id = await cli.run([
            "instance", "create", "--environment", "env_1", "--name", "web", "--server", "srv_1", "--env", "env_1",
        ])
        #expect(id.err.contains("the environment's id goes to --environment"), "\(id.err)")
        let logs = await cli.run(["instance", "logs", "ins_1", "--tail", "0"])
        #expect(logs.code == 2 && logs.err.contains("--tail"), "\(logs.err)")
    }

    @Test(arguments: [
        ("env.LOG_LEVEL", "--env"), ("env", "--env"), ("serverId", "--server"), ("domains", "--domain"),
        ("healthPath", "--health-path"), ("proxyHTTPPort", "--proxy-http-port"),
    ])
    func apiFieldsNameTheirOptions(field: String, option: String) {
        #expect(CLIError.flag(forField: field) == option)
    }
}
