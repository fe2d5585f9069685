import Foundation
import Testing

@testable import SlipwayCLI

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite struct ConfigFileTests {
    private func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require(attributes[.posixPermissions] as? Int)
    }

    @Test func locationFollowsXDGThenHome() throws {
        #expect(try ConfigFile(variables: ["HOME": "/home/ana"]).path == "/home/ana/.config/slipway/config.json")
        #expect(
            try ConfigFile(variables: ["HOME": "/home/ana", "XDG_CONFIG_HOME": "/cfg"]).path
                == "/cfg/slipway/config.json")
        // The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
        #expect(
            try ConfigFile(variables: ["HOME": "/home/ana", "XDG_CONFIG_HOME": "rel"]).path
                == "/home/ana/.config/slipway/config.json")
        #expect(throws: CLIError.self) { try ConfigFile(variables: [:]) }
    }

    @Test func writesOwnerOnlyFileInOwnerOnlyDirectoryAndReadsItBack() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let file = try ConfigFile(variables: ["HOME": home.path])
        let config = CLIConfig(url: "http://127.0.0.1:8080", token: "tok_secret", org: "acme")

        let previous = umask(0)  // the most permissive umask must not widen the modes
        defer { umask(previous) }
        try file.write(config)

        #expect(try mode(file.path) == 0o600)
        #expect(try mode(file.directory) == 0o700)
        #expect(try file.read() == config)
        // No temporary file is left beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: file.directory) == ["config.json"])
    }

    @Test func rewritingTightensAFileSomeoneLoosened() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let file = try ConfigFile(variables: ["HOME": home.path])
        try file.write(CLIConfig(url: "http://a", token: "one"))
        chmod(file.path, 0o644)
        chmod(file.directory, 0o755)
        try file.write(CLIConfig(url: "http://b", token: "two"))
        #expect(try mode(file.path) == 0o600)
        #expect(try mode(file.directory) == 0o700)
        #expect(try file.read()?.token == "two")
    }

    @Test func missingFileReadsAsNilAndGarbageIsReported() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let file = try ConfigFile(variables: ["HOME": home.path])
        #expect(try file.read() == nil)
        try FileManager.default.createDirectory(atPath: file.directory, withIntermediateDirectories: true)
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: file.path))
        let error = try #require(throws: CLIError.self) { try file.read() }
        #expect(error.code == "config_invalid")
        #expect(error.hint?.contains("slipway login") == true)
    }

    @Test func environmentOverridesTheFileAndOrgOptionOverridesBoth() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        try ConfigFile(variables: ["HOME": home.path]).write(
            CLIConfig(url: "http://file:1/", token: "file-token", org: "file-org"))

        let fromFile = try Connection.resolve(variables: ["HOME": home.path], org: nil)
        #expect(fromFile == Connection(url: "http://file:1", token: "file-token", org: "file-org"))

        let overridden = try Connection.resolve(
            variables: [
                "HOME": home.path, "SLIPWAY_URL": "http://env:2", "SLIPWAY_TOKEN": "env-token",
                "SLIPWAY_ORG": "env-org",
            ], org: nil)
        #expect(overridden == Connection(url: "http://env:2", token: "env-token", org: "env-org"))

        let partly = try Connection.resolve(
            variables: ["HOME": home.path, "SLIPWAY_TOKEN": "env-token"], org: "flag-org")
        #expect(partly == Connection(url: "http://file:1", token: "env-token", org: "flag-org"))

        // Empty variables count as unset.
        let empty = try Connection.resolve(variables: ["HOME": home.path, "SLIPWAY_URL": ""], org: nil)
        #expect(empty.url == "http://file:1")
    }

    @Test func environmentAloneIsEnoughEvenWithABrokenFile() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let file = try ConfigFile(variables: ["HOME": home.path])
        try FileManager.default.createDirectory(atPath: file.directory, withIntermediateDirectories: true)
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: file.path))
        let connection = try Connection.resolve(
            variables: ["HOME": home.path, "SLIPWAY_URL": "http://x:1", "SLIPWAY_TOKEN": "t"], org: nil)
        #expect(connection == Connection(url: "http://x:1", token: "t", org: nil))
        #expect(throws: CLIError.self) { try Connection.resolve(variables: ["HOME": home.path], org: nil) }
    }

    @Test func notLoggedInSaysHowToLogIn() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let error = try #require(throws: CLIError.self) {
            try Connection.resolve(variables: ["HOME": home.path], org: nil)
        }
        #expect(error.code == "not_logged_in")
        #expect(error.exitCode == CLIExitCode.failure)
        #expect(error.message.contains(home.path + "/.config/slipway/config.json"))
        #expect(error.hint?.contains("slipway login --url") == true)
        #expect(error.hint?.contains("SLIPWAY_TOKEN") == true)
    }
}
