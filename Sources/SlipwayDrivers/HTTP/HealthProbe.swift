/// An HTTP health check of an app on a server's loopback port: any answer below 500 counts as healthy
/// (a login redirect is a live app), no answer or a 5xx does not.
public struct HealthProbe: Sendable {
    let http: ServiceHTTPClient

    public init(endpoint: ServiceEndpoint, port: Int) {
        http = ServiceHTTPClient(
            endpoint: endpoint, hostHeader: "127.0.0.1:\(port)", timeout: .seconds(5), closesConnection: true)
    }

    /// `GET path` with the probe's `Host` (the loopback address), or `host` when given (a route of Caddy).
    public func check(_ path: String) async -> Result<Int, ServiceHTTPError> {
        await check(path: path, host: nil)
    }

    public func check(path: String, host: String?) async -> Result<Int, ServiceHTTPError> {
        var http = http
        if let host {
            http = ServiceHTTPClient(
                endpoint: http.endpoint, hostHeader: host, timeout: http.timeout, closesConnection: true)
        }
        do {
            let answer = try await http.send(.GET, path)
            guard answer.status < 500 else {
                return .failure(
                    ServiceHTTPError(message: "\(path) answered HTTP \(answer.status)", status: answer.status))
            }
            return .success(answer.status)
        } catch let error as ServiceHTTPError {
            return .failure(error)
        } catch {
            return .failure(ServiceHTTPError(message: "\(error)", status: nil))
        }
    }

    /// `GET path` through a route of Caddy for `host`: the upstream that answered (``CaddyAdminClient/upstreamHeader``)
    /// and the status, or why there was no answer.
    public func upstream(path: String, host: String) async -> Result<(upstream: String?, status: Int), ServiceHTTPError>
    {
        let http = ServiceHTTPClient(
            endpoint: http.endpoint, hostHeader: host, timeout: http.timeout, closesConnection: true)
        do {
            let answer = try await http.send(.GET, path)
            let upstream = answer.headers.first { $0.0.lowercased() == CaddyAdminClient.upstreamHeader.lowercased() }?.1
            return .success((upstream, answer.status))
        } catch let error as ServiceHTTPError {
            return .failure(error)
        } catch {
            return .failure(ServiceHTTPError(message: "\(error)", status: nil))
        }
    }
}
