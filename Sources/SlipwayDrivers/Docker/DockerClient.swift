import AsyncHTTPClient
import Foundation
import Logging
import NIOCore

/// A typed client of the Docker Engine API (JSON over HTTP on a unix socket), pinned to API 1.41.
///
/// It never runs the docker CLI: every call is one HTTP request whose user values travel as JSON or
/// query parameters. The local engine is `.local` (`/var/run/docker.sock`); a remote engine is a local
/// socket path that the SSH transport forwards to the remote engine's socket.
///
/// Everything the client creates carries ``SlipwayLabels``; list and prune calls only ever see objects
/// labelled `io.slipway.managed=true`, and destructive calls on a single object check that label first,
/// so Slipway never touches what it did not create.
///
/// Ordinary calls are bounded by ``requestTimeout``; calls that wait on the engine (stop, wait, exec)
/// take their own deadline; streams (build, push, logs) end when the task iterating them is cancelled.
public struct DockerClient: Sendable {
    /// Where the engine listens.
    public enum Endpoint: Sendable, Equatable, CustomStringConvertible {
        /// A unix socket: the local engine's, or a local socket forwarded to a remote engine.
        case unixSocket(String)

        /// The local engine at `/var/run/docker.sock`.
        public static let local = Endpoint.unixSocket("/var/run/docker.sock")

        public var description: String {
            switch self {
            case .unixSocket(let path): "unix://\(path)"
            }
        }
    }

    /// The API version pinned in every path; the engines Slipway supports speak at least this one.
    public static let apiVersion = "1.41"

    /// The engine this client talks to.
    public let endpoint: Endpoint
    /// The deadline of an ordinary request (everything but the streams and the waits).
    public var requestTimeout: Duration
    let httpClient: HTTPClient
    let logger: Logger

    /// - Parameters:
    ///   - endpoint: The engine's socket.
    ///   - httpClient: The HTTP client to use; by default one shared by every ``DockerClient`` of the process,
    ///     which needs no shutdown. Pass your own to control its lifetime (and shut it down yourself).
    ///   - requestTimeout: The deadline of an ordinary request.
    public init(
        endpoint: Endpoint = .local, httpClient: HTTPClient = DockerClient.sharedHTTPClient,
        requestTimeout: Duration = .seconds(60),
        logger: Logger = Logger(label: "slipway.docker")
    ) {
        self.endpoint = endpoint
        self.httpClient = httpClient
        self.requestTimeout = requestTimeout
        self.logger = logger
    }
}

extension DockerClient {
    /// The HTTP client every ``DockerClient`` shares unless given another: it lives as long as the process.
    /// Unlike AsyncHTTPClient's default it does not retry a failed connection until the deadline, so an
    /// engine that is not there is reported at once (the socket is local, even for a remote engine).
    public static let sharedHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()
}

/// One request to the engine, described as a value before it is sent.
struct DockerRequest: Sendable {
    enum Method: String, Sendable {
        case get = "GET"
        case post = "POST"
        case put = "PUT"
        case delete = "DELETE"
        case head = "HEAD"
    }

    var method: Method
    /// The path after the version prefix, with every user value already escaped by ``segment(_:)``.
    var path: String
    var query: [(String, String)] = []
    var headers: [(String, String)] = []
    var body: Data?
    /// A body sent as it is produced (a file streamed into a container), instead of ``body``.
    var streamedBody: HTTPClientRequest.Body?
    var contentType = "application/json"
    /// Added to the client's request timeout, for calls the engine answers only after a wait (stop).
    var extraTime: Duration = .zero

    var operation: String { "\(method.rawValue) \(path)" }

    init(_ method: Method, _ path: String, query: [(String, String)] = [], body: Data? = nil) {
        self.method = method
        self.path = path
        self.query = query
        self.body = body
    }

    /// A request with a JSON body.
    init(_ method: Method, _ path: String, query: [(String, String)] = [], json: some Encodable) throws {
        self.init(method, path, query: query, body: try JSONEncoder().encode(json))
    }

    /// A user value made safe to put in a path: everything but unreserved characters and `:` is
    /// percent-encoded, so `../` or `?` in a name cannot change which endpoint is called.
    static func segment(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<"\u{80}"))
        allowed.insert(charactersIn: "-._~:")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }

    /// The query string; `+` is encoded too, since the engine (Go) reads a bare `+` as a space.
    var encodedQuery: String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "+&=;#")
        return query.map { key, value in
            let key = key.addingPercentEncoding(withAllowedCharacters: allowed) ?? key
            let value = value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
            return "\(key)=\(value)"
        }.joined(separator: "&")
    }
}

extension DockerClient {
    /// Sends a request and returns the engine's response with its body still to be read. The deadline
    /// covers the time until the response head arrives; reading the body is bounded by the caller.
    func send(_ request: DockerRequest) async throws -> HTTPClientResponse {
        guard case .unixSocket(let socketPath) = endpoint,
            let host = socketPath.addingPercentEncoding(withAllowedCharacters: .urlHostAllowed)
        else {
            throw DockerError(.invalidRequest, message: "bad socket path", operation: request.operation)
        }
        let query = request.query.isEmpty ? "" : "?" + request.encodedQuery
        var http = HTTPClientRequest(url: "http+unix://\(host)/v\(Self.apiVersion)\(request.path)\(query)")
        switch request.method {
        case .get: http.method = .GET
        case .post: http.method = .POST
        case .put: http.method = .PUT
        case .delete: http.method = .DELETE
        case .head: http.method = .HEAD
        }
        // Docker answers 400 "missing required Host header" without one; any value does.
        http.headers.add(name: "Host", value: "docker")
        for (name, value) in request.headers {
            http.headers.add(name: name, value: value)
        }
        if let body = request.body {
            http.headers.add(name: "Content-Type", value: request.contentType)
            http.body = .bytes(ByteBuffer(bytes: body))
        } else if let body = request.streamedBody {
            http.headers.add(name: "Content-Type", value: request.contentType)
            http.body = body
        } else if request.method == .post || request.method == .put {
            http.headers.add(name: "Content-Length", value: "0")
        }
        let timeout = requestTimeout + request.extraTime
        logger.trace("docker request", metadata: ["operation": "\(request.operation)"])
        do {
            return try await httpClient.execute(http, timeout: .nanoseconds(timeout.nanoseconds), logger: logger)
        } catch {
            throw Self.transportError(error, operation: request.operation, timeout: timeout)
        }
    }

    /// Sends a request and reads its whole body; a status outside 2xx (and 304) becomes a ``DockerError``.
    func data(_ request: DockerRequest, limit: Int = 64 << 20) async throws -> (status: Int, body: Data) {
        let response = try await send(request)
        let status = Int(response.status.code)
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: limit)
        } catch {
            throw Self.transportError(error, operation: request.operation, timeout: requestTimeout)
        }
        let data = Data(body.readableBytesView)
        guard (200..<300).contains(status) || status == 304 else {
            throw Self.engineError(status: status, body: data, operation: request.operation)
        }
        return (status, data)
    }

    /// Sends a request and decodes its JSON answer.
    func json<Value: Decodable>(_ request: DockerRequest, as type: Value.Type = Value.self) async throws -> Value {
        let (_, body) = try await data(request)
        do {
            return try JSONDecoder().decode(Value.self, from: body)
        } catch {
            throw DockerError(
                .unexpectedResponse, message: "cannot decode \(Value.self): \(error)", operation: request.operation)
        }
    }

    /// Sends a request whose answer is a stream, and hands back its body once the status says success.
    func stream(_ request: DockerRequest) async throws -> HTTPClientResponse.Body {
        let response = try await send(request)
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            let body = (try? await response.body.collect(upTo: 1 << 20)).map { Data($0.readableBytesView) } ?? Data()
            throw Self.engineError(status: status, body: body, operation: request.operation)
        }
        return response.body
    }

    /// The engine's error answer, `{"message": "..."}`, as a ``DockerError``.
    static func engineError(status: Int, body: Data, operation: String) -> DockerError {
        struct Message: Decodable {
            let message: String
        }
        let message =
            (try? JSONDecoder().decode(Message.self, from: body).message)
            ?? String(decoding: body.prefix(2_000), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return DockerError(
            DockerError.kind(forStatus: status), message: message.isEmpty ? "HTTP \(status)" : message,
            status: status, operation: operation)
    }

    /// A failure below HTTP (no socket, dropped connection, deadline) as a ``DockerError``; cancellation stays
    /// a `CancellationError`.
    static func transportError(_ error: any Error, operation: String, timeout: Duration) -> any Error {
        if error is DockerError || error is CancellationError {
            return error
        }
        if let error = error as? HTTPClientError {
            if error == .deadlineExceeded {
                return DockerError(.timedOut, message: "no answer within \(timeout)", operation: operation)
            }
            if error == .cancelled, Task.isCancelled {
                return CancellationError()
            }
        }
        return DockerError(.unreachable, message: "\(error)", operation: operation)
    }
}
