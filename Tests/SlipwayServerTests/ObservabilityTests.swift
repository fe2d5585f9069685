import Foundation
import HTTPTypes
import HummingbirdTesting
import SlipwayCore
import SlipwayServer
import SlipwayTesting
import Testing

@Suite("Audit log, health and metrics")
struct ObservabilityTests {
    @Test("mutating requests are audited with actor, result, IP and user agent; reads are not")
    func audit() async throws {
        try await TestControlPlane.with { plane in
            let viewer = try await plane.makeMember(of: plane.organization, role: "viewer")
            try await plane.test(.live) { client in
                _ = try await create(
                    client, "/api/projects", token: plane.ownerToken,
                    body: #"{"name":"Shop","repoUrl":"https://h.test/a.git","kind":"odoo"}"#)
                let refused = try await send(
                    client, .post, "/api/projects", token: viewer.token,
                    body: #"{"name":"Nope","repoUrl":"https://h.test/b.git","kind":"odoo"}"#,
                    headers: [.userAgent: "audit-test/1.0"])
                #expect(refused.status == 403)
                _ = try await send(client, .get, "/api/projects", token: plane.ownerToken)

                let log = try await send(client, .get, "/api/audit-logs?resource=projects", token: plane.ownerToken)
                #expect(log.status == 200)
                #expect(log["total"]?.int == 2)
                let entries = log.items
                #expect(entries.map { $0["result"]?.int } == [403, 201])
                #expect(entries.allSatisfy { $0["action"]?.string == "POST /api/projects" })
                #expect(entries.first?["actorId"]?.string == viewer.user.id)
                #expect(entries.first?["userAgent"]?.string == "audit-test/1.0")
                #expect(entries.first?["ip"]?.string == "127.0.0.1")
                #expect(entries.last?["resourceId"]?.string?.hasPrefix("prj_") == true)
                let filtered = try await send(
                    client, .get, "/api/audit-logs?actorId=\(viewer.user.id)", token: plane.ownerToken)
                #expect(filtered["total"]?.int == 1)
                #expect(try await send(client, .get, "/api/audit-logs", token: viewer.token).status == 403)
            }
        }
    }

    @Test("health answers without a token; metrics count requests by route and status")
    func healthAndMetrics() async throws {
        try await TestControlPlane.with { plane in
            try await plane.test { client in
                let health = try await send(client, .get, "/healthz")
                #expect(health.status == 200)
                #expect(health["status"]?.string == "ok")
                #expect(health.headers[HTTPField.Name("X-Request-Id")!]?.hasPrefix("req_") == true)
                for _ in 0..<3 { _ = try await send(client, .get, "/api/projects", token: plane.ownerToken) }
                _ = try await send(client, .get, "/api/projects")
                let metrics = try await send(client, .get, "/metrics")
                #expect(metrics.status == 200)
                #expect(
                    metrics.text.contains(
                        #"slipway_http_requests_total{method="GET",route="/api/projects",status="200"} 3"#))
                #expect(
                    metrics.text.contains(
                        #"slipway_http_requests_total{method="GET",route="/api/projects",status="401"} 1"#))
                #expect(
                    metrics.text.contains(
                        #"slipway_http_request_duration_seconds_count{method="GET",route="/api/projects"} 4"#))
                #expect(metrics.text.contains(#"slipway_jobs{status="queued"} 0"#))
            }
        }
    }
}
