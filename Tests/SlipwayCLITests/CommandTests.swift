import Foundation
import SlipwayCore
import Testing

@testable import SlipwayCLI

/// Commands run in-process, without a server: the paths that never need one, and the
/// one where the server is not there.
@Suite struct CommandTests {
    @Test func helpListsEverySubcommandAndExitsZero() async throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let result = await InProcessCLI(home: home.path).run(["--help"])
        #expect(result.code == 0)
        for command in ["serve", "login", "org", "project", "env", "server", "instance", "apikey"] {
            #expect(result.out.contains(command), "help should list \(command)")
        }
    }

    @Test(arguments: [
        ["project", "delete", "prj_1"],
        ["env", "delete", "env_1"],
        ["server", "delete", "srv_1"],
        ["org", "delete", "org_1"],
        ["apikey", "delete", "key_1"],
        ["instance", "remove", "ins_1"],
    ])
    func deleteRefusesWithoutYes(arguments: [String]) async throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        // Even logged in to a (dead) server, nothing is sent: the refusal comes first.
        let cli = InProcessCLI(home: home.path, extra: ["SLIPWAY_URL": "http://127.0.0.1:1", "SLIPWAY_TOKEN": "t"])
        let result = await cli.run(arguments)
        #expect(result.code == 2)
        #expect(result.err.hasPrefix("error: "))
        #expect(result.err.contains("add --yes to confirm"))
        #expect(result.out.isEmpty)
    }

    @Test(arguments: [
        ["project", "create", "--name", "Shop", "--repo-url", "https://x/y.git", "--kind", "rails"],
        ["project", "create", "--name", "Shop", "--repo-url", "not a url", "--kind", "odoo"],
        ["org", "create", "--name", "Acme", "--slug", "Bad Slug"],
        ["env", "create", "--project", "p", "--name", "st", "--type", "qa", "--branch", "main"],
        ["env", "create", "--project", "p", "--name", "st", "--type", "staging", "--branch", "bad..ref"],
        ["server", "create", "--name", "web", "--host", "h", "--user", "root"],
        ["server", "create", "--name", "web", "--host", "h", "--user", "root", "--port", "70000", "--password-stdin"],
        ["apikey", "create", "--name", "ci"],
        ["apikey", "create", "--name", "ci", "--role", "viewer", "--permission", "view:projects"],
        ["apikey", "create", "--name", "ci", "--permission", "read:everything"],
        ["apikey", "create", "--name", "ci", "--role", "viewer", "--expires-at", "tomorrow"],
        [
            "apikey", "create", "--name", "ci", "--role", "viewer", "--expires-at", "2030-01-01T00:00:00Z",
            "--expires-in-days", "3",
        ],
        ["login", "--url", "ftp://example.com", "--token", "t"],
        ["project", "list", "--org", "NOT A SLUG"],
        ["project", "list", "--unknown-flag"],
    ])
    func badArgumentsAreUsageErrors(arguments: [String]) async throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let result = await InProcessCLI(home: home.path).run(arguments)
        #expect(result.code == 2, "\(arguments): \(result.err)")
        #expect(!result.err.isEmpty)
    }

    @Test func withoutLoginCommandsSayHowToLogIn() async throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let result = await InProcessCLI(home: home.path).run(["project", "list"])
        #expect(result.code == 1)
        #expect(result.err.hasPrefix("error: not logged in"))
        #expect(result.err.contains("hint: run `slipway login --url"))
    }

    @Test func unreachableServerExitsThreeAndAsksIfItRuns() async throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let url = "http://127.0.0.1:\(try FreePort.make())"
        let cli = InProcessCLI(home: home.path, extra: ["SLIPWAY_URL": url, "SLIPWAY_TOKEN": "t"])
        let result = await cli.run(["project", "list"])
        #expect(result.code == 3)
        #expect(result.err.contains("error: cannot reach \(url)"))
        #expect(result.err.contains("is `slipway serve` running at \(url)?"))
    }

    @Test func loginToADeadServerWritesNothing() async throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let url = "http://127.0.0.1:\(try FreePort.make())"
        let result = await InProcessCLI(home: home.path).run(["login", "--url", url, "--token", "tok"])
        #expect(result.code == 3)
        let file = try ConfigFile(variables: ["HOME": home.path])
        #expect(!FileManager.default.fileExists(atPath: file.path))
    }

    @Test func apiKeyExpiryInDaysCountsFromNow() throws {
        let command = try APIKeyCommand.Create.parse(["--name", "ci", "--role", "viewer", "--expires-in-days", "30"])
        let now = try #require(JSONCoding.parseDate("2026-01-01T00:00:00Z"))
        let body = command.body(now: now)
        #expect(body.expiresAt == "2026-01-31T00:00:00Z")
        #expect(body.role == "viewer" && body.permissions == nil)

        let exact = try APIKeyCommand.Create.parse([
            "--name", "ci", "--permission", "view:projects", "--permission", "manage:deployments",
            "--expires-at", "2026-06-01T12:00:00.250+02:00",
        ])
        let exactBody = exact.body(now: now)
        #expect(exactBody.expiresAt == "2026-06-01T10:00:00Z")
        #expect(exactBody.permissions == ["view:projects", "manage:deployments"] && exactBody.role == nil)
    }

    @Test func passwordFromStdinLosesOnlyItsLineBreak() throws {
        #expect(try ServerCommand.Create.password(from: Data("s3cret\n".utf8)) == "s3cret")
        #expect(try ServerCommand.Create.password(from: Data("s3cret\r\n".utf8)) == "s3cret")
        #expect(try ServerCommand.Create.password(from: Data(" spaced pass ".utf8)) == " spaced pass ")
        #expect(throws: CLIError.self) { try ServerCommand.Create.password(from: Data("\n".utf8)) }
    }

    @Test func aPublicKeyFileIsRefusedWithAHint() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/id_ed25519.pub"
        try Data("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA user@host\n".utf8).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: CLIError.self) { try ServerCommand.Create.readPrivateKey(at: path) }
        #expect(error.hint?.contains("without .pub") == true)
    }
}
