import Foundation
import SlipwayCore
import SlipwayTesting
import Testing

@testable import SlipwayCLI

/// `slipway env update` against a live control plane: what it sends, what is stored, what it prints.
@Suite("env update command")
struct EnvUpdateCommandTests {
    /// A project of the plane's organization, and `env create` of a staging environment in it through the CLI.
    static func staging(_ plane: TestControlPlane, _ cli: InProcessCLI) async throws -> SlipwayCore.Environment {
        let project = Project(
            organizationId: plane.organization.id, name: "Shop", repoUrl: "https://h.test/a.git", kind: .odoo)
        try await plane.store.createProject(project)
        let created = await cli.run([
            "env", "create", "--project", project.id, "--name", "Staging", "--type", "staging", "--branch", "develop",
            "--health-timeout", "120", "--module-update", "listed", "--modules", "sale, stock", "--json",
        ])
        try #require(created.code == 0, "\(created.err)")
        return try JSONCoding.decoder().decode(SlipwayCore.Environment.self, from: Data(created.out.utf8))
    }

    static func stored(_ plane: TestControlPlane, _ id: String) async throws -> SlipwayCore.Environment {
        try #require(try await plane.store.environment(organizationId: plane.organization.id, id: id))
    }

    /// Its fields without the timestamps (JSON and the store keep them to different precisions).
    static func undated(_ environment: SlipwayCore.Environment) -> SlipwayCore.Environment {
        var environment = environment
        environment.createdAt = Date(timeIntervalSince1970: 0)
        environment.updatedAt = environment.createdAt
        return environment
    }

    @Test("only the options given are sent")
    func bodyHoldsOnlyWhatWasGiven() throws {
        let cases: [([String], String)] = [
            (["--no-auto-deploy"], #"{"autoDeploy":false}"#),
            (["--auto-deploy"], #"{"autoDeploy":true}"#),
            (["--name", "QA"], #"{"name":"QA"}"#),
            (
                ["--branch", "release/2", "--health-timeout", "30"],
                #"{"branch":"release/2","healthCheckTimeoutSeconds":30}"#
            ),
            (
                ["--module-update", "listed", "--modules", "sale, stock"],
                #"{"moduleUpdate":"listed","moduleUpdateModules":["sale","stock"]}"#
            ),
            (["--modules", ""], #"{"moduleUpdateModules":[]}"#),
        ]
        for (arguments, json) in cases {
            let command = try EnvCommand.Update.parse(["--env", "env_1"] + arguments)
            let body = String(decoding: try JSONCoding.encoder().encode(command.body), as: UTF8.self)
            #expect(body == json, "\(arguments)")
        }
    }

    @Test("update changes what is given, keeps the rest and prints the environment as show does")
    func updateKeepsTheRest() async throws {
        try await ServerCommandTests.withCLI { plane, cli, _ in
            let created = try await Self.staging(plane, cli)
            #expect(created.moduleUpdateModules == ["sale", "stock"], "create splits --modules as before")

            let updated = await cli.run(["env", "update", "--env", created.id, "--branch", "main", "--no-auto-deploy"])
            try #require(updated.code == 0, "\(updated.err)")
            var expected = created
            expected.branch = "main"
            expected.autoDeploy = false
            var stored = try await Self.stored(plane, created.id)
            #expect(Self.undated(stored) == Self.undated(expected), "only the branch and auto-deploy changed")
            let shown = await cli.run(["env", "show", created.id])
            #expect(updated.out == shown.out, "printed like show:\n\(updated.out)\n---\n\(shown.out)")
            for line in ["branch:", "autoDeploy:", "alerts:"] {
                #expect(updated.out.contains(line), "\(line) in \(updated.out)")
            }
            #expect(WebhookCommandTests.field("branch", in: updated.out) == "main")
            #expect(WebhookCommandTests.field("autoDeploy", in: updated.out) == "no")
            #expect(WebhookCommandTests.field("moduleUpdate", in: updated.out) == "listed: sale, stock")

            let more = await cli.run([
                "env", "update", "--environment", created.id, "--name", "Staging EU", "--auto-deploy",
                "--health-timeout", "300", "--module-update", "changed",
            ])
            try #require(more.code == 0, "\(more.err)")
            stored = try await Self.stored(plane, created.id)
            #expect(stored.name == "Staging EU" && stored.autoDeploy && stored.healthCheckTimeoutSeconds == 300)
            #expect(stored.moduleUpdate == .changed && stored.moduleUpdateModules == ["sale", "stock"])
            #expect(stored.branch == "main" && stored.type == .staging)

            // A listed update without --modules takes the modules already stored.
            let listed = await cli.run(["env", "update", "--env", created.id, "--module-update", "listed", "--json"])
            try #require(listed.code == 0, "\(listed.err)")
            let answered = try JSONCoding.decoder().decode(SlipwayCore.Environment.self, from: Data(listed.out.utf8))
            #expect(answered.moduleUpdate == .listed && answered.moduleUpdateModules == ["sale", "stock"])
            #expect(listed.err.isEmpty, "--json prints the JSON alone: \(listed.err)")

            let modules = await cli.run(["env", "update", "--env", created.id, "--modules", "account,stock"])
            try #require(modules.code == 0, "\(modules.err)")
            stored = try await Self.stored(plane, created.id)
            #expect(stored.moduleUpdate == .listed && stored.moduleUpdateModules == ["account", "stock"])
        }
    }

    @Test("refusals: nothing given, bad values, a listed update without modules, an unknown environment")
    func refusals() async throws {
        try await ServerCommandTests.withCLI { plane, cli, _ in
            var created = try await Self.staging(plane, cli)
            // No modules stored, so a listed update without --modules is refused by the server.
            let cleared = await cli.run([
                "env", "update", "--env", created.id, "--module-update", "changed", "--modules", "",
            ])
            try #require(cleared.code == 0, "\(cleared.err)")
            created = try await Self.stored(plane, created.id)
            #expect(created.moduleUpdateModules.isEmpty)

            let update = ["env", "update", "--env", created.id]
            for (extra, says) in [
                (
                    [String](),
                    "give at least one of --name, --branch, --auto-deploy (or --no-auto-deploy), --health-timeout, "
                        + "--module-update and --modules"
                ),
                (["--json"], "give at least one of"),
                (["--name", "x"], "--name must be 2 to 100 characters long"),
                (["--branch", "bad..ref"], "--branch is not a valid git ref name"),
                (["--branch=-rf"], "--branch is not a valid git ref name"),
                (["--health-timeout", "2"], "--health-timeout must be 5 to 3600 seconds"),
                (["--modules", "Sale"], "--modules must be up to 100 module names"),
                (["--module-update", "listed", "--modules", ""], "--modules name the modules"),
                (["--module-update", "everything"], "everything"),
            ] {
                let result = await cli.run(update + extra)
                #expect(result.code == 2, "\(extra): \(result.err)")
                #expect(result.err.contains(says), "\(extra): \(result.err)")
                #expect(result.out.isEmpty, "\(extra): \(result.out)")
            }

            let listed = await cli.run(update + ["--module-update", "listed"])
            #expect(listed.code == 1, "\(listed.err)")
            #expect(listed.err.contains("name the modules a `listed` module update updates"), "\(listed.err)")
            #expect(listed.err.contains("hint: check the value of --modules"), "\(listed.err)")

            let unknown = await cli.run(["env", "update", "--env", "env_nope", "--name", "QA"])
            #expect(unknown.code == 1 && unknown.err.contains("error: environment not found"), "\(unknown.err)")
            #expect(unknown.err.contains("hint: check the id with `slipway env list`"), "\(unknown.err)")

            #expect(try await Self.stored(plane, created.id) == created, "no refusal changed anything")
        }
    }
}
