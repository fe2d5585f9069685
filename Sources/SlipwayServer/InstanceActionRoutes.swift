import Foundation
import SlipwayCore
import SlipwayDrivers

/// Starting, stopping and restarting an instance (queued jobs), its jobs, and its logs.
enum InstanceActionRoutes {
    struct LogLine: Encodable, Sendable {
        var stream: String
        var text: String
    }

    static func action(_ name: String, _ kind: Job.Kind, status: Instance.Status?, summary: String) -> APIRoute {
        APIRoute(
            .post, "/api/instances/{instanceId}/\(name)", access: .permission(.manage(.instances)), summary: summary,
            resource: "instances", status: .accepted, response: .reference("Job")
        ) { call in
            var instance = try await InstanceRoutes.instance(call)
            guard instance.status != .removing else {
                throw SlipwayError(.conflict, code: "instance_removing", message: "the instance is being removed")
            }
            if kind != .instanceStop, instance.image == nil {
                throw SlipwayError(
                    .conflict, code: "no_image", message: "the instance has no image yet: deploy it first")
            }
            if let status {
                instance.status = status
                _ = try await call.store.updateInstance(instance)
            }
            return .json(try await InstanceRoutes.enqueue(call, instance, kind))
        }
    }

    static let all: [APIRoute] =
        [logs] + [
            action("start", .instanceStart, status: nil, summary: "Queue a start of the instance's active container"),
            action("stop", .instanceStop, status: nil, summary: "Queue a stop; the database and filestore stay"),
            action(
                "restart", .instanceRestart, status: .restarting,
                summary: "Queue a restart: the container is made again with the current env and secrets"),
            APIRoute(
                .get, "/api/instances/{instanceId}/jobs", access: .permission(.view(.instances)),
                summary: "The instance's jobs, newest first", resource: "instances", response: Schemas.list("Job")
            ) { call in
                let instance = try await InstanceRoutes.instance(call)
                return .json(
                    ItemList(try await call.store.jobs(organizationId: instance.organizationId, subjectId: instance.id))
                )
            },
        ]

    static let logs: APIRoute = {
        var route = APIRoute(
            .get, "/api/instances/{instanceId}/logs", access: .permission(.view(.instances)),
            summary: "The last lines the instance's active container wrote", resource: "instances",
            query: [
                .init(
                    name: "tail", schema: .integer(minimum: 1, maximum: 10_000),
                    description: "How many of the last lines (default 100)")
            ],
            response: .object(
                properties: [
                    "items": .array(
                        .object(
                            properties: ["stream": .enumeration(["stdout", "stderr"]), "text": .string],
                            required: ["stream", "text"]))
                ], required: ["items"])
        ) { call in
            let instance = try await InstanceRoutes.instance(call)
            let tail = try call.queryInt("tail", default: 100)
            guard (1...10_000).contains(tail) else { throw SlipwayError.invalid("tail", "must be 1 to 10000") }
            let lines: [OutputLine]
            do {
                lines = try await call.backend.instances.logs(instance, tail: tail)
            } catch let error as SlipwayError {
                throw error
            } catch {
                throw SlipwayError(
                    .unavailable, code: "server_unreachable", message: "the instance's server did not answer: \(error)")
            }
            return .json(ItemList(lines.map { LogLine(stream: $0.stream.rawValue, text: $0.text) }))
        }
        route.reachesServer = true
        return route
    }()
}
