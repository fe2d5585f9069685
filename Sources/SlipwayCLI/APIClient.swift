import AsyncHTTPClient
import Foundation

/// The control plane's REST API, typed: each call sends the bearer token and the
/// organization, and returns the decoded value with the raw body (for `--json`), or
/// throws a `CLIError` that says what to do next.
struct APIClient: Sendable {
    enum Method: String, Sendable {
        case get = "GET"
        case post = "POST"
        case patch = "PATCH"
        case put = "PUT"
        case delete = "DELETE"
    }

    /// A decoded answer and the bytes it came from.
    struct Reply<Value: Sendable>: Sendable {
        var value: Value
        var body: Data
    }

    /// A raw answer, whatever its status.
    struct RawReply: Sendable {
        var status: Int
        var body: Data
    }

    /// `http://host:port`, without a trailing slash.
    var baseURL: String
    var token: String?
    /// Sent as `X-Org-Slug` when set.
    var org: String?
    var httpClient: HTTPClient
    var timeoutSeconds: Int64 = 30

    static let maximumBodyBytes = 16 * 1024 * 1024

    init(baseURL: String, token: String?, org: String?, httpClient: HTTPClient = .cli) {
        self.baseURL = Self.normalized(baseURL)
        self.token = token
        self.org = org
        self.httpClient = httpClient
    }

    /// Drops trailing slashes so paths can start with `/`.
    static func normalized(_ url: String) -> String {
        var url = url.trimmingCharacters(in: .whitespaces)
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    /// `/api/projects/<id>` with each segment percent-encoded, so an id cannot change the path.
    static func path(_ segments: String...) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#%;")
        return "/api/"
            + segments.map { $0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0 }.joined(separator: "/")
    }

    func get<Value: Decodable & Sendable>(_ path: String, as type: Value.Type = Value.self) async throws -> Reply<Value>
    {
        try await decoded(.get, path, body: nil)
    }

    func post<Value: Decodable & Sendable>(
        _ path: String, body: some Encodable, as type: Value.Type = Value.self
    ) async throws -> Reply<Value> {
        try await decoded(.post, path, body: try JSONCoding.encoder().encode(body))
    }

    func patch<Value: Decodable & Sendable>(
        _ path: String, body: some Encodable, as type: Value.Type = Value.self
    ) async throws -> Reply<Value> {
        try await decoded(.patch, path, body: try JSONCoding.encoder().encode(body))
    }

    /// Sets a value whose route answers 204 with no body (an instance's secret).
    func put(_ path: String, body: some Encodable) async throws {
        _ = try await checked(.put, path, body: try JSONCoding.encoder().encode(body))
    }

    /// Deletes (or revokes); the API answers 204 with no body.
    func delete(_ path: String) async throws {
        _ = try await checked(.delete, path, body: nil)
    }

    /// Queues a deletion; the API answers what it queued (an instance's removal answers its job).
    func delete<Value: Decodable & Sendable>(_ path: String, as type: Value.Type) async throws -> Reply<Value> {
        try await decoded(.delete, path, body: nil)
    }

    private func decoded<Value: Decodable & Sendable>(_ method: Method, _ path: String, body: Data?) async throws
        -> Reply<Value>
    {
        let data = try await checked(method, path, body: body)
        do {
            return Reply(value: try JSONCoding.decoder().decode(Value.self, from: data), body: data)
        } catch {
            throw CLIError.unexpectedReply(path: path, baseURL: baseURL, reason: Self.describe(decodingError: error))
        }
    }

    /// Sends the request and turns any status outside 2xx into a `CLIError`.
    private func checked(_ method: Method, _ path: String, body: Data?) async throws -> Data {
        let reply = try await send(method, path, body: body)
        guard (200..<300).contains(reply.status) else {
            throw CLIError.api(status: reply.status, body: reply.body, path: path, baseURL: baseURL)
        }
        return reply.body
    }

    /// The request for `path` with the token and the organization, and `body` as JSON.
    func request(_ method: Method, _ path: String, body: Data?, accept: String = "application/json")
        -> HTTPClientRequest
    {
        var request = HTTPClientRequest(url: baseURL + path)
        switch method {
        case .get: request.method = .GET
        case .post: request.method = .POST
        case .patch: request.method = .PATCH
        case .put: request.method = .PUT
        case .delete: request.method = .DELETE
        }
        request.headers.add(name: "Accept", value: accept)
        request.headers.add(name: "User-Agent", value: "slipway-cli")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let org { request.headers.add(name: "X-Org-Slug", value: org) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(body)
        }
        return request
    }

    /// Sends one request and collects the answer; only a failure to talk to the server throws.
    func send(_ method: Method, _ path: String, body: Data?) async throws -> RawReply {
        let request = request(method, path, body: body)
        do {
            let response = try await httpClient.execute(request, timeout: .seconds(timeoutSeconds))
            var data = Data()
            for try await chunk in response.body {
                data.append(contentsOf: chunk.readableBytesView)
                guard data.count <= Self.maximumBodyBytes else {
                    throw CLIError.unexpectedReply(path: path, baseURL: baseURL, reason: "the body is over 16 MB")
                }
            }
            return RawReply(status: Int(response.status.code), body: data)
        } catch let error as CLIError {
            throw error
        } catch {
            throw Self.transportError(error, baseURL: baseURL)
        }
    }

    /// A failure below HTTP, in words a person recognises.
    static func transportError(_ error: any Error, baseURL: String) -> CLIError {
        if let error = error as? HTTPClientError,
            [.invalidURL, .emptyHost, .emptyScheme].contains(error)
                || String(describing: error).contains("unsupportedScheme")
        {
            return CLIError(
                code: "invalid_url", message: "\(baseURL) is not a URL this CLI can use",
                hint:
                    "give the control plane's address like http://127.0.0.1:8080 to `slipway login --url` or SLIPWAY_URL"
            )
        }
        let text = String(describing: error)
        let reason: String
        if text.localizedCaseInsensitiveContains("connection refused") {
            reason = "connection refused"
        } else if text.contains("connectTimeout") || text.contains("deadlineExceeded") || text.contains("readTimeout") {
            reason = "timed out"
        } else if text.contains("remoteConnectionClosed") {
            reason = "the server closed the connection"
        } else {
            reason = text
        }
        return CLIError.unreachable(baseURL: baseURL, reason: reason)
    }

    private static func describe(decodingError error: any Error) -> String {
        guard let error = error as? DecodingError else { return String(describing: error) }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing \(Self.codingPath(context.codingPath + [key]))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(Self.codingPath(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return String(describing: error)
        }
    }

    private static func codingPath(_ path: [any CodingKey]) -> String {
        path.isEmpty ? "the body" : path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}
