import Foundation
import SlipwayTesting
import Testing

@testable import SlipwayDrivers

/// Caddy's admin API driven by `CaddyAdminClient`, against a real Caddy (the image `scripts/images`
/// builds) in front of two real backends, all on the test engine's host network.
@Suite("Caddy routes", .tags(.docker))
struct CaddyRouteTests {
    /// Starts a busybox web server answering `text` on `127.0.0.1:port`.
    static func backend(_ docker: DockerTestContext, text: String, port: Int) async throws -> String {
        let id = try await docker.client.createContainer(
            ContainerSpec(
                name: DockerTestEngine.uniqueName("backend"), image: DockerTestEngine.baseImage,
                command: [
                    "sh", "-c",
                    "mkdir /www && echo \(text) > /www/index.html && exec httpd -f -p 127.0.0.1:\(port) -h /www",
                ],
                networks: [.init(network: "host")]),
            labels: docker.labels)
        try await docker.client.startContainer(id)
        return id
    }

    /// Caddy with its admin API on `127.0.0.1:adminPort`, started the way `ServerServices` starts it.
    static func caddy(_ docker: DockerTestContext, adminPort: Int) async throws -> CaddyAdminClient {
        try await DockerTestEngine.ensureServiceImages()
        let id = try await docker.client.createContainer(
            ContainerSpec(
                name: DockerTestEngine.uniqueName("caddy"), image: DockerTestEngine.proxyImage,
                command: ["caddy", "run", "--config", "/etc/slipway/caddy.json"], networks: [.init(network: "host")]),
            labels: docker.labels)
        var archive = TarArchive()
        try archive.addDirectory("etc/slipway")
        try archive.addFile(
            "etc/slipway/caddy.json", contents: CaddyAdminClient.initialConfiguration(adminPort: adminPort))
        try await docker.client.copyIntoContainer(id, archive: archive)
        try await docker.client.startContainer(id)
        let client = CaddyAdminClient(endpoint: .tcp(host: "127.0.0.1", port: adminPort), adminPort: adminPort)
        #expect(try await eventually { (try? await client.ping()) != nil }, "Caddy's admin API did not answer")
        return client
    }

    /// The body Caddy answers on `127.0.0.1:port` for `host`, or the status when not 200.
    static func get(port: Int, host: String) async throws -> String {
        let answer = try await ServiceHTTPClient(endpoint: .tcp(host: "127.0.0.1", port: port), hostHeader: host)
            .send(.GET, "/")
        guard answer.status == 200 else { return "HTTP \(answer.status)" }
        return String(decoding: answer.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("a route sends its host to the upstream; switching it moves traffic at once; removing it ends it")
    func routeSwitchRemove() async throws {
        try await DockerTestContext.run { docker in
            let (adminPort, httpPort) = (try LoopbackSocket.freePort(), try LoopbackSocket.freePort())
            let (bluePort, greenPort) = (try LoopbackSocket.freePort(), try LoopbackSocket.freePort())
            _ = try await Self.backend(docker, text: "blue", port: bluePort)
            _ = try await Self.backend(docker, text: "green", port: greenPort)
            let caddy = try await Self.caddy(docker, adminPort: adminPort)

            try await caddy.ensureServer(listen: [":\(httpPort)"], automaticHTTPS: false)
            let route = ProxyRoute(id: "slipway-ins-test", hosts: ["app.test"], upstream: "127.0.0.1:\(bluePort)")
            try await caddy.setRoute(route)
            #expect(try await caddy.route(route.id) == route)
            #expect(try await eventually { (try? await Self.get(port: httpPort, host: "app.test")) == "blue" })
            #expect(try await Self.get(port: httpPort, host: "other.test") == "HTTP 404", "another host is not routed")

            try await caddy.switchUpstream(routeId: route.id, to: "127.0.0.1:\(greenPort)")
            #expect(try await Self.get(port: httpPort, host: "app.test") == "green")
            #expect(try await caddy.route(route.id)?.upstream == "127.0.0.1:\(greenPort)")

            // Setting it again replaces it in place: still one route, before the fallback.
            try await caddy.setRoute(
                ProxyRoute(id: route.id, hosts: ["app.test", "www.app.test"], upstream: "127.0.0.1:\(bluePort)"))
            #expect(try await Self.get(port: httpPort, host: "www.app.test") == "blue")
            let routes =
                try JSONSerialization.jsonObject(
                    with: try await caddy.http.expectSuccess(.GET, "/config/apps/http/servers/slipway/routes").body)
                as? [Any]
            #expect(routes?.count == 2)

            // ensureServer again keeps the routes; the admin API stays where it was.
            try await caddy.ensureServer(listen: [":\(httpPort)"], automaticHTTPS: false)
            #expect(try await Self.get(port: httpPort, host: "app.test") == "blue")
            try await caddy.ping()

            try await caddy.removeRoute(route.id)
            #expect(try await caddy.route(route.id) == nil)
            #expect(try await Self.get(port: httpPort, host: "app.test") == "HTTP 404")
            try await caddy.removeRoute(route.id)
            await #expect(throws: ServiceHTTPError.self) {
                try await caddy.setRoute(ProxyRoute(id: "bad/../id", hosts: ["x.test"], upstream: "127.0.0.1:1"))
            }
        }
    }
}
