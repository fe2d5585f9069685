import Foundation
import SlipwayCore
import Testing

@testable import SlipwayCLI

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The built `slipway` binary against a live `slipway serve`: what a person does on day one.
@Suite(.serialized, .tags(.endToEnd))
struct CLIEndToEndTests {
    /// `.build/debug/slipway` of this package, when it has been built.
    static let binary: String? = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let path = root.appendingPathComponent(".build/debug/slipway").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }()

    @Test(
        .enabled(
            if: binary != nil,
            "skipped: no .build/debug/slipway; run `swift build --product slipway` first"),
        .timeLimit(.minutes(5)))
    func dayOneJourney() async throws {
        let binary = try #require(Self.binary)
        let work = try TemporaryDirectory("slipway-e2e")
        defer { work.remove() }
        let home = work.path + "/home"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)

        let server = try await LiveServer.start(binary: binary, dataDir: work.path + "/data", port: try FreePort.make())
        let journey: Result<Void, any Error>
        do {
            try await Self.journey(cli: BinaryCLI(binary: binary, home: home), server: server)
            journey = .success(())
        } catch {
            journey = .failure(error)
        }
        let stopped = await server.stop()
        #expect(stopped, "`slipway serve` did not exit within 15 s of SIGTERM; it was killed")
        if case .failure = journey { Issue.record("server log:\n\(server.logTail())") }
        try journey.get()

        // With the server gone, the same command is a connection failure: exit 3.
        let offline = try await BinaryCLI(binary: binary, home: home).run(["project", "list"])
        #expect(offline.code == 3, "\(offline)")
        #expect(offline.err.contains("is `slipway serve` running at \(server.url)?"))
    }

    private static func journey(cli: BinaryCLI, server: LiveServer) async throws {
        // Log in with the token the new server wrote; the config file is the user's only.
        let login = try await cli.run(["login", "--url", server.url, "--token", server.initialToken])
        try #require(login.code == 0, "\(login)")
        #expect(login.out.contains("Logged in to \(server.url)"))
        let configPath = cli.home + "/.config/slipway/config.json"
        let mode = try FileManager.default.attributesOfItem(atPath: configPath)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        // An organization, a project in it, an environment of the project.
        let org: Organization = try await cli.json(["org", "create", "--name", "Acme E2E", "--slug", "acme-e2e"])
        #expect(org.slug == "acme-e2e")
        let inOrg = ["--org", org.slug]

        let project: Project = try await cli.json(
            [
                "project", "create", "--name", "Shop", "--repo-url", "https://git.example.com/acme/shop.git", "--kind",
                "odoo",
            ]
                + inOrg)
        #expect(project.organizationId == org.id)
        #expect(project.kind == .odoo)

        let environment: SlipwayCore.Environment = try await cli.json(
            [
                "env", "create", "--project", project.id, "--name", "staging", "--type", "staging", "--branch",
                "develop",
                "--no-auto-deploy",
            ] + inOrg)
        #expect(environment.projectId == project.id)
        #expect(environment.autoDeploy == false)

        // The project is in the organization's list, as JSON and as a table.
        let listed: ItemList<Project> = try await cli.json(["project", "list"] + inOrg)
        #expect(listed.items.map(\.id).contains(project.id))
        let table = try await cli.run(["project", "list"] + inOrg)
        #expect(table.code == 0)
        #expect(table.out.split(separator: "\n").first?.hasPrefix("ID") == true)
        #expect(table.out.contains(project.id) && table.out.contains("Shop"))
        let environments: ItemList<SlipwayCore.Environment> = try await cli.json(
            ["env", "list", "--project", project.id] + inOrg)
        #expect(environments.items.map(\.id) == [environment.id])

        // A viewer key: shown once, can read, cannot create (403, exit 1).
        let keyRun = try await cli.run(
            ["apikey", "create", "--name", "ci-viewer", "--role", "viewer", "--json"] + inOrg)
        try #require(keyRun.code == 0, "\(keyRun)")
        #expect(keyRun.err.contains("will not be shown again"))
        let key = try JSONCoding.decoder().decode(CreatedAPIKey.self, from: Data(keyRun.out.utf8))
        #expect(!key.token.isEmpty)
        #expect(key.record.role == "viewer")

        let viewer = cli.with(["SLIPWAY_TOKEN": key.token])
        let viewed: ItemList<Project> = try await viewer.json(["project", "list"])
        #expect(viewed.items.map(\.id).contains(project.id), "the key acts in its own organization")
        let refused = try await viewer.run(
            [
                "project", "create", "--name", "Other", "--repo-url", "https://git.example.com/acme/other.git",
                "--kind",
                "generic",
            ])
        #expect(refused.code == 1, "\(refused)")
        #expect(refused.err.hasPrefix("error: "))
        #expect(refused.err.contains("403"))
        let afterRefusal: ItemList<Project> = try await cli.json(["project", "list"] + inOrg)
        #expect(afterRefusal.items.count == listed.items.count, "the refused create must not have made a project")

        // An id that does not exist: exit 1, and where to look.
        let missing = try await cli.run(["project", "show", "prj_doesnotexist"] + inOrg)
        #expect(missing.code == 1, "\(missing)")
        #expect(missing.err.contains("slipway project list"))

        // delete needs --yes; without it nothing is deleted.
        let unconfirmed = try await cli.run(["project", "delete", project.id] + inOrg)
        #expect(unconfirmed.code == 2)
        #expect(unconfirmed.err.contains("--yes"))
        let stillThere: ItemList<Project> = try await cli.json(["project", "list"] + inOrg)
        #expect(stillThere.items.map(\.id).contains(project.id))

        // Revoking the key locks it out at once.
        let revoke = try await cli.run(["apikey", "delete", key.record.id, "--yes"] + inOrg)
        #expect(revoke.code == 0, "\(revoke)")
        let locked = try await viewer.run(["project", "list"])
        #expect(locked.code == 1, "\(locked)")
        #expect(locked.err.contains("slipway login"))

        let deleted = try await cli.run(["project", "delete", project.id, "--yes"] + inOrg)
        #expect(deleted.code == 0, "\(deleted)")
        let gone: ItemList<Project> = try await cli.json(["project", "list"] + inOrg)
        #expect(!gone.items.map(\.id).contains(project.id))
    }
}

/// The `slipway` binary run as a subprocess with its own HOME and no inherited SLIPWAY_* variables.
struct BinaryCLI {
    struct Run: CustomStringConvertible {
        var code: Int32
        var out: String
        var err: String
        var description: String { "exit \(code)\nstdout: \(out)\nstderr: \(err)" }
    }

    var binary: String
    var home: String
    var extra: [String: String] = [:]

    func with(_ variables: [String: String]) -> BinaryCLI {
        var copy = self
        copy.extra.merge(variables) { $1 }
        return copy
    }

    func run(_ arguments: [String]) async throws -> Run {
        var environment = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("SLIPWAY_") && $0.key != "XDG_CONFIG_HOME"
        }
        environment["HOME"] = home
        environment.merge(extra) { $1 }
        let output = try TemporaryDirectory("slipway-run")
        defer { output.remove() }
        let status = try await runProcess(
            binary, arguments, environment: environment, stdout: output.path + "/out", stderr: output.path + "/err")
        func text(_ name: String) -> String {
            let data = FileManager.default.contents(atPath: output.path + "/" + name) ?? Data()
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return Run(code: status, out: text("out"), err: text("err"))
    }

    /// Runs a command with `--json` and decodes what it printed.
    func json<Value: Decodable>(_ arguments: [String], as type: Value.Type = Value.self) async throws -> Value {
        let result = try await run(arguments + ["--json"])
        try #require(result.code == 0, "slipway \(arguments.joined(separator: " ")): \(result)")
        return try JSONCoding.decoder().decode(Value.self, from: Data(result.out.utf8))
    }
}

/// Starts `executable` with output to files and waits for it to exit.
func runProcess(
    _ executable: String, _ arguments: [String], environment: [String: String], stdout: String, stderr: String
) async throws -> Int32 {
    let process = try makeProcess(executable, arguments, environment: environment, stdout: stdout, stderr: stderr)
    return try await withCheckedThrowingContinuation { continuation in
        process.terminationHandler = { finished in continuation.resume(returning: finished.terminationStatus) }
        do {
            try process.run()
        } catch {
            process.terminationHandler = nil
            continuation.resume(throwing: error)
        }
    }
}

func makeProcess(
    _ executable: String, _ arguments: [String], environment: [String: String], stdout: String, stderr: String
) throws -> Process {
    for path in [stdout, stderr] where !FileManager.default.createFile(atPath: path, contents: nil) {
        throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = environment
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdout))
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderr))
    return process
}
