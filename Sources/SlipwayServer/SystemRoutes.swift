import Foundation
import SlipwayCore

/// Health, metrics and the OpenAPI document: no token needed.
enum SystemRoutes {
    struct Health: Encodable, Sendable {
        var status: String
        var version: String
    }

    static let version = "0.1.0"

    static func all(documentedRoutes: @escaping @Sendable () -> [APIRoute]) -> [APIRoute] {
        [
            APIRoute(
                .get, "/healthz", access: .public, summary: "Liveness and store check", resource: "system",
                response: .object(
                    properties: ["status": .enumeration(["ok"]), "version": .string], required: ["status", "version"])
            ) { call in
                _ = try await call.store.isEmpty()
                return .json(Health(status: "ok", version: version))
            },
            APIRoute(
                .get, "/metrics", access: .public,
                summary: "Prometheus metrics: requests by route and status, latencies, job counts",
                resource: "system", response: nil
            ) { call in
                let jobs = try await call.store.jobStatusCounts()
                let deployments = try await call.store.deploymentStatusCounts()
                let gauges =
                    Job.Status.allCases.map { status in
                        (
                            name: "slipway_jobs", help: "Jobs in the durable queue by status.",
                            labels: ["status": status.rawValue],
                            value: jobs[status] ?? 0
                        )
                    }
                    + Deployment.Status.allCases.map { status in
                        (
                            name: "slipway_deployments", help: "Deployments by status.",
                            labels: ["status": status.rawValue],
                            value: deployments[status] ?? 0
                        )
                    }
                return .text(call.backend.metrics.render(gauges: gauges), contentType: "text/plain; version=0.0.4")
            },
            APIRoute(
                .get, "/api/openapi.json", access: .public, summary: "This document", resource: "system",
                response: .anyObject
            ) { _ in
                .json(OpenAPIDocument.make(routes: documentedRoutes(), version: version))
            },
        ]
    }
}
