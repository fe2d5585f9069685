import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A failure talking to a server's service over HTTP: no answer, or an answer outside 2xx.
public struct ServiceHTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// The HTTP status, when the service answered.
    public var status: Int?

    public var description: String { message }
}

/// Plain HTTP to a service on a server's loopback (Caddy's admin API, the registry), through a
/// ``ServiceEndpoint``. `hostHeader` is what the service expects to see: Caddy's admin API refuses
/// requests whose `Host` is not its own listen address.
struct ServiceHTTPClient: Sendable {
    let endpoint: ServiceEndpoint
    let hostHeader: String
    var timeout: Duration = .seconds(15)
    /// Asks for the connection to be closed after the answer: a probe must not leave an idle connection
    /// open to an app, which would look like a request in flight when that app drains.
    var closesConnection = false
    var httpClient: HTTPClient = DockerClient.sharedHTTPClient

    struct Answer: Sendable {
        var status: Int
        var headers: [(String, String)]
        var body: Data
    }

    func send(_ method: HTTPMethod, _ path: String, json body: Data? = nil) async throws -> Answer {
        var request = HTTPClientRequest(url: try endpoint.url(path))
        request.method = method
        request.headers.add(name: "Host", value: hostHeader)
        if closesConnection { request.headers.add(name: "Connection", value: "close") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        do {
            let response = try await httpClient.execute(request, timeout: .nanoseconds(timeout.nanoseconds))
            let bytes = try await response.body.collect(upTo: 16 << 20)
            return Answer(
                status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
                body: Data(bytes.readableBytesView))
        } catch let error as ServiceHTTPError {
            throw error
        } catch {
            throw ServiceHTTPError(message: "\(method) \(path) on \(endpoint): \(error)", status: nil)
        }
    }

    /// `send`, refusing any status outside 2xx with the service's own words.
    func expectSuccess(_ method: HTTPMethod, _ path: String, json body: Data? = nil) async throws -> Answer {
        let answer = try await send(method, path, json: body)
        guard (200..<300).contains(answer.status) else {
            let text = String(decoding: answer.body.prefix(1_000), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            throw ServiceHTTPError(message: "\(method) \(path): HTTP \(answer.status) \(text)", status: answer.status)
        }
        return answer
    }
}
