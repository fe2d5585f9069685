import Foundation

extension CaddyAdminClient {
    /// The name of the HTTP server Slipway keeps its routes in.
    public static let serverName = "slipway"

    /// The id of the last route, which answers 404 for host names no instance has (Caddy's own answer to
    /// an unmatched request is an empty 200).
    public static let fallbackRouteId = "slipway-fallback"

    /// Makes sure Caddy runs the HTTP server ``serverName`` listening on `listen` (like `[":80", ":443"]`),
    /// with automatic HTTPS on or off, keeping its routes when it exists, and the fallback route last. The
    /// rest of Caddy's configuration, the admin listener included, stays as it is.
    public func ensureServer(listen: [String], automaticHTTPS: Bool = true) async throws {
        let path = "/config/apps/http/servers/\(Self.serverName)"
        // A path under an object that does not exist yet answers 400 ("invalid traversal path").
        let existing = try await http.send(.GET, path)
        var server =
            existing.status == 200
            ? (try? JSONSerialization.jsonObject(with: existing.body) as? [String: Any]) ?? [:] : [:]
        var routes = (server["routes"] as? [[String: Any]]) ?? []
        let disabled = (server["automatic_https"] as? [String: Any])?["disable"] as? Bool ?? false
        if existing.status == 200, server["listen"] as? [String] == listen, disabled == !automaticHTTPS,
            routes.last?["@id"] as? String == Self.fallbackRouteId
        {
            // Already so: writing the server again would race with routes being set meanwhile.
            return
        }
        routes.removeAll { $0["@id"] as? String == Self.fallbackRouteId }
        routes.append([
            "@id": Self.fallbackRouteId,
            "handle": [
                [
                    "handler": "static_response", "status_code": 404,
                    "body": "No app answers to this host name here.\n",
                ]
            ],
        ])
        server["routes"] = routes
        server["listen"] = listen
        server["automatic_https"] = automaticHTTPS ? nil : ["disable": true]
        try await setValue(server, at: ["apps", "http", "servers", Self.serverName])
    }

    /// Creates the route (first, ahead of the fallback), or replaces the one with its id in place (same
    /// position, one request).
    public func setRoute(_ route: ProxyRoute) async throws {
        let body = try JSONSerialization.data(withJSONObject: Self.json(route))
        if try await http.send(.GET, "/id/\(try Self.pathSegment(route.id))").status == 200 {
            _ = try await http.expectSuccess(.PATCH, "/id/\(try Self.pathSegment(route.id))", json: body)
        } else {
            _ = try await http.expectSuccess(
                .PUT, "/config/apps/http/servers/\(Self.serverName)/routes/0", json: body)
        }
    }

    /// Moves the route's traffic to `upstream` atomically: requests already on their way finish on the old
    /// upstream, new ones go to the new one.
    public func switchUpstream(routeId: String, to upstream: String) async throws {
        let body = try JSONSerialization.data(withJSONObject: [["dial": upstream]])
        _ = try await http.expectSuccess(
            .PATCH, "/id/\(try Self.pathSegment(routeId))/handle/0/upstreams", json: body)
    }

    /// The route with that id, or nil.
    public func route(_ id: String) async throws -> ProxyRoute? {
        let answer = try await http.send(.GET, "/id/\(try Self.pathSegment(id))")
        guard answer.status == 200,
            let object = try? JSONSerialization.jsonObject(with: answer.body) as? [String: Any]
        else { return nil }
        let hosts = ((object["match"] as? [[String: Any]])?.first?["host"] as? [String]) ?? []
        let handle = (object["handle"] as? [[String: Any]])?.first
        let upstream = ((handle?["upstreams"] as? [[String: Any]])?.first?["dial"] as? String) ?? ""
        return ProxyRoute(id: id, hosts: hosts, upstream: upstream)
    }

    /// The response header naming the upstream (`HOST:PORT`) that answered a request through a route.
    public static let upstreamHeader = "X-Slipway-Upstream"

    /// How many requests each upstream (`HOST:PORT`) has in flight now, from Caddy's own count; an
    /// upstream no route uses any more and with nothing in flight is not listed.
    public func requestsInFlight() async throws -> [String: Int] {
        let answer = try await http.expectSuccess(.GET, "/reverse_proxy/upstreams")
        guard let entries = try? JSONSerialization.jsonObject(with: answer.body) as? [[String: Any]] else {
            return [:]
        }
        var counts: [String: Int] = [:]
        for entry in entries {
            if let address = entry["address"] as? String {
                counts[address, default: 0] += (entry["num_requests"] as? Int) ?? 0
            }
        }
        return counts
    }

    /// Removes the route with that id; a missing one is fine.
    public func removeRoute(_ id: String) async throws {
        let answer = try await http.send(.DELETE, "/id/\(try Self.pathSegment(id))")
        guard (200..<300).contains(answer.status) || answer.status == 404 || answer.status == 400 else {
            throw ServiceHTTPError(
                message:
                    "DELETE route \(id): HTTP \(answer.status) \(String(decoding: answer.body.prefix(500), as: UTF8.self))",
                status: answer.status)
        }
    }

    static func json(_ route: ProxyRoute) -> [String: Any] {
        [
            "@id": route.id,
            "match": [["host": route.hosts]],
            "handle": [
                [
                    "handler": "reverse_proxy", "upstreams": [["dial": route.upstream]],
                    // Says which upstream answered, so a deployment checks through the proxy that the new
                    // colour is the one serving before it calls itself done.
                    "headers": ["response": ["set": [upstreamHeader: ["{http.reverse_proxy.upstream.hostport}"]]]],
                ]
            ],
            "terminal": true,
        ]
    }

    /// Sets `value` at `keys` under `/config/`, creating the objects on the way that do not exist yet
    /// (Caddy cannot traverse into a missing object).
    private func setValue(_ value: Any, at keys: [String]) async throws {
        var depth = keys.count
        // Find the deepest existing parent.
        while depth > 0 {
            let parent = "/config/" + keys.prefix(depth - 1).joined(separator: "/")
            let answer = try await http.send(.GET, parent)
            if answer.status == 200,
                String(decoding: answer.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) != "null"
            {
                break
            }
            depth -= 1
        }
        var nested = value
        for key in keys[max(depth, 1)...].reversed() {
            nested = [key: nested]
        }
        let target = "/config/" + keys.prefix(max(depth, 1)).joined(separator: "/")
        let body = try JSONSerialization.data(withJSONObject: nested)
        _ = try await http.expectSuccess(.POST, target, json: body)
    }

    /// A route id as it goes in a path: letters, digits, `-`, `_`, `.` only.
    static func pathSegment(_ id: String) throws -> String {
        guard !id.isEmpty, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            throw ServiceHTTPError(message: "'\(id)' is not a route id (letters, digits, - _ . only)", status: nil)
        }
        return id
    }
}
