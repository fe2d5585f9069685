import Foundation
import SlipwayCore
import Testing

@testable import SlipwayCLI

@Suite struct CLIErrorTests {
    private let base = "http://127.0.0.1:8080"

    private func body(_ code: String, _ message: String, field: String? = nil) -> Data {
        let fieldJSON = field.map { #", "field": "\#($0)""# } ?? ""
        return Data(#"{"error": {"code": "\#(code)", "message": "\#(message)"\#(fieldJSON)}}"#.utf8)
    }

    @Test func apiErrorPrintsMessageFieldAndHint() {
        let error = CLIError.api(
            status: 422, body: body("invalid_field", "must be a git URL", field: "repoUrl"), path: "/api/projects",
            baseURL: base)
        #expect(error.lines == ["error: must be a git URL (field: repoUrl)", "hint: check the value of --repo-url"])
        #expect(error.exitCode.rawValue == 1)
        #expect(error.status == 422 && error.code == "invalid_field" && error.field == "repoUrl")
    }

    @Test func unauthorizedPointsAtLogin() {
        let error = CLIError.api(
            status: 401, body: body("unauthorized", "invalid token"), path: "/api/projects", baseURL: base)
        #expect(error.lines.first == "error: invalid token")
        #expect(error.hint?.contains("slipway login --url \(base) --token") == true)
        #expect(error.exitCode.rawValue == 1)
    }

    @Test func forbiddenNamesTheStatusAndWhoCanHelp() {
        let error = CLIError.api(
            status: 403, body: body("forbidden", "missing permission manage:projects"), path: "/api/projects",
            baseURL: base)
        #expect(error.exitCode.rawValue == 1)
        #expect(error.hint?.contains("403") == true)
        #expect(error.hint?.contains("owner or admin") == true)
    }

    @Test(arguments: [
        ("/api/projects/prj_x", "slipway project list"),
        ("/api/projects/prj_x/environments", "slipway project list"),
        ("/api/environments/env_x", "slipway env list"),
        ("/api/servers/srv_x", "slipway server list"),
        ("/api/api-keys/key_x", "slipway apikey list"),
        ("/api/organizations/org_x", "slipway org list"),
    ])
    func notFoundSaysWhereToFindTheId(path: String, command: String) {
        let error = CLIError.api(status: 404, body: body("not_found", "not found"), path: path, baseURL: base)
        #expect(error.hint?.contains("`\(command)`") == true)
        #expect(error.exitCode.rawValue == 1)
    }

    @Test(arguments: [500, 502, 503])
    func serverFailuresExitThree(status: Int) {
        let error = CLIError.api(status: status, body: Data("upstream down".utf8), path: "/api/projects", baseURL: base)
        #expect(error.exitCode.rawValue == 3)
        #expect(
            error.message == "HTTP \(status): upstream down", "a body that is not the error envelope is still shown")
        #expect(error.hint?.contains("slipway serve") == true)
    }

    @Test func emptyBodyStillSaysSomething() {
        let error = CLIError.api(status: 404, body: Data(), path: "/nope", baseURL: base)
        #expect(error.message == "the server answered HTTP 404")
        #expect(error.code == "http_404")
    }

    @Test func conflictSuggestsAnotherValue() {
        let error = CLIError.api(
            status: 409, body: body("conflict", "slug taken", field: "slug"), path: "/api/organizations", baseURL: base)
        #expect(error.hint == "that slug is already taken: choose another --slug")
    }

    @Test func unreachableAsksWhetherTheServerRuns() {
        let error = CLIError.unreachable(baseURL: base, reason: "connection refused")
        #expect(error.exitCode.rawValue == 3)
        #expect(error.lines.first == "error: cannot reach \(base): connection refused")
        #expect(error.hint?.contains("is `slipway serve` running at \(base)?") == true)
    }

    @Test func fieldsMapToTheirOptions() {
        #expect(CLIError.flag(forField: "repoUrl") == "--repo-url")
        #expect(CLIError.flag(forField: "name") == "--name")
        #expect(CLIError.flag(forField: "permissions[1]") == "--permission")
        #expect(CLIError.flag(forField: "branchMappings[0].branchPattern") == "--branch-pattern")
        #expect(CLIError.flag(forField: "privateKey") == "--private-key-file")
        #expect(CLIError.flag(forField: "expiresAt") == "--expires-at")
    }

    @Test func idsCannotEscapeTheirPathSegment() {
        #expect(APIClient.path("projects", "../organizations") == "/api/projects/..%2Forganizations")
        #expect(APIClient.path("projects", "a?b#c") == "/api/projects/a%3Fb%23c")
        #expect(APIClient.path("projects", "prj_1", "environments") == "/api/projects/prj_1/environments")
    }

    @Test func datesDecodeWithAndWithoutFractionalSeconds() throws {
        #expect(JSONCoding.parseDate("2026-05-01T12:00:00Z") != nil)
        #expect(JSONCoding.parseDate("2026-05-01T12:00:00.123Z") != nil)
        #expect(JSONCoding.parseDate("2026-05-01T14:00:00+02:00") == JSONCoding.parseDate("2026-05-01T12:00:00Z"))
        #expect(JSONCoding.parseDate("yesterday") == nil)
        let json = #"{"id":"org_1","name":"Acme","slug":"acme","createdAt":"2026-05-01T12:00:00.5Z"}"#
        let org = try JSONCoding.decoder().decode(Organization.self, from: Data(json.utf8))
        #expect(JSONCoding.formatDate(org.createdAt) == "2026-05-01T12:00:00Z")
    }
}
