import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SlipwayServer
import SlipwayTesting
import Testing

/// A JSON answer: status, decoded body (when JSON), headers.
struct Reply {
    var status: Int
    var json: JSONValue?
    var text: String
    var headers: HTTPFields

    subscript(key: String) -> JSONValue? { json?[key] }

    var errorField: String? {
        if case .string(let field)? = json?["error"]?["field"] { return field }
        return nil
    }

    var errorCode: String? {
        if case .string(let code)? = json?["error"]?["code"] { return code }
        return nil
    }

    var items: [JSONValue] {
        if case .array(let items)? = json?["items"] { return items }
        return []
    }
}

extension JSONValue {
    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var int: Int? {
        if case .number(let value) = self { return Int(value) }
        return nil
    }
}

/// Sends a request the way a client would: bearer token, optional org header, JSON body.
func send(
    _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ path: String, token: String? = nil,
    org: String? = nil,
    body: String? = nil, headers extra: HTTPFields = [:]
) async throws -> Reply {
    var headers = extra
    if let token { headers[.authorization] = "Bearer \(token)" }
    if let org { headers[HTTPField.Name("X-Org-Slug")!] = org }
    if body != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
    let buffer = body.map { ByteBuffer(string: $0) }
    return try await client.execute(uri: path, method: method, headers: headers, body: buffer) { response in
        let text = String(buffer: response.body)
        let json = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        return Reply(status: Int(response.status.code), json: json, text: text, headers: response.headers)
    }
}

/// Creates a record through the API and returns its id, failing the test with the answer when it does not work.
func create(_ client: any TestClientProtocol, _ path: String, token: String, org: String? = nil, body: String)
    async throws -> String
{
    let reply = try await send(client, .post, path, token: token, org: org, body: body)
    try #require(reply.status == 201, "POST \(path) answered \(reply.status): \(reply.text)")
    return try #require(reply["id"]?.string)
}

/// Marks a made-up server `active`, as a verification would: these API tests reach no real server, and
/// instances may only be created on active ones. The instance jobs they queue never run here.
func markActive(_ plane: TestControlPlane, serverId: String) async throws {
    guard var server = try await plane.store.server(organizationId: plane.organization.id, id: serverId) else {
        Issue.record("no server \(serverId)")
        return
    }
    server.status = .active
    _ = try await plane.store.updateServer(server)
}
