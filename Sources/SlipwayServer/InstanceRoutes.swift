import Foundation
import SlipwayCore

/// Instances of an environment. Creating one records it and queues its provisioning on its server
/// (database, filestore, container, route); an instance of a Git project without an image waits,
/// `created`, for its first deployment.
enum InstanceRoutes {
    struct Create: Decodable {
        var name: String
        var serverId: String
        var port: Int?
        var healthPath: String?
        var image: String?
        var domains: [String]?
        var env: [String: String]?
        static let schema = Schema.object(
            properties: [
                "name": Schemas.name, "serverId": Schemas.id, "port": Schemas.port,
                "healthPath": .string(minLength: 1, maxLength: 1024, pattern: "^/"),
                "image": .string(minLength: 1, maxLength: 512),
                "domains": .array(.string(minLength: 1, maxLength: 253), maxItems: 20),
                "env": .anyObject,
            ], required: ["name", "serverId"])
    }

    static let all: [APIRoute] = [
        APIRoute(
            .post, "/api/environments/{environmentId}/instances", access: .permission(.manage(.instances)),
            summary: "Add an instance to an environment on an active server; its provisioning is queued",
            resource: "instances", body: Create.schema, status: .created, response: .reference("Instance")
        ) { call in
            let environment = try await EnvironmentRoutes.environment(call)
            let input = try call.decode(Create.self)
            try Validation.name(input.name)
            guard
                let project = try await call.store.project(
                    organizationId: environment.organizationId, id: environment.projectId)
            else { throw SlipwayError.notFound("project") }
            let port = input.port ?? (project.kind == .odoo ? 8069 : nil)
            guard let port else {
                throw SlipwayError.invalid("port", "a generic app needs the port it listens on, like 8080")
            }
            try Validation.port(port)
            let healthPath = input.healthPath ?? (project.kind == .odoo ? "/web/health" : "/")
            guard healthPath.hasPrefix("/"), !healthPath.contains(where: { $0.isWhitespace }) else {
                throw SlipwayError.invalid("healthPath", "must be a URL path starting with '/', like /web/health")
            }
            if let image = input.image, image.contains(where: { $0.isWhitespace }) || image.hasPrefix("-") {
                throw SlipwayError.invalid("image", "must be an image reference like registry.example.com/app:1.2")
            }
            for domain in input.domains ?? [] { try Validation.host(domain, field: "domains") }
            for (key, value) in input.env ?? [:] {
                try Validation.environmentName(key, field: "env")
                try Validation.environmentValue(value, field: "env.\(key)")
            }
            guard
                let server = try await call.store.server(organizationId: environment.organizationId, id: input.serverId)
            else {
                throw SlipwayError.invalid("serverId", "no server '\(input.serverId.prefix(60))' in this organization")
            }
            guard server.status == .active else {
                throw SlipwayError.invalid(
                    "serverId",
                    "server \(server.name) is \(server.status.rawValue), not active: verify it first (slipway server verify \(server.id))"
                )
            }
            let now = call.backend.clock()
            let id = Identifier.make("ins")
            let draft = Instance(
                id: id, organizationId: environment.organizationId, projectId: environment.projectId,
                environmentId: environment.id, serverId: server.id, name: input.name, kind: project.kind,
                status: .creating, port: port, healthPath: healthPath, image: input.image,
                domains: input.domains ?? [], env: input.env ?? [:],
                databaseName: "slipway_" + id.dropFirst(4), createdAt: now, updatedAt: now)
            let instance = try await call.store.createInstance(
                draft, encryptedDatabasePassword: try call.backend.secrets.seal(Identifier.secret(bytes: 24)))
            try await call.store.enqueueJob(
                Job(
                    organizationId: instance.organizationId, kind: .instanceProvision, subjectId: instance.id,
                    concurrencyKey: "instance:\(instance.id)", createdAt: now))
            return .json(instance)
        },
        APIRoute(
            .get, "/api/environments/{environmentId}/instances", access: .permission(.view(.instances)),
            summary: "The instances of an environment", resource: "instances", response: Schemas.list("Instance")
        ) { call in
            let environment = try await EnvironmentRoutes.environment(call)
            return .json(
                ItemList(
                    try await call.store.instances(
                        organizationId: environment.organizationId, environmentId: environment.id)))
        },
        APIRoute(
            .get, "/api/instances/{instanceId}", access: .permission(.view(.instances)), summary: "One instance",
            resource: "instances", response: .reference("Instance")
        ) { call in
            .json(try await instance(call))
        },
        APIRoute(
            .delete, "/api/instances/{instanceId}", access: .permission(.manage(.instances)),
            summary:
                "Queue the removal of an instance: its containers and route; with dropData, its database and filestore too",
            resource: "instances",
            query: [
                .init(
                    name: "dropData", schema: .boolean,
                    description:
                        "true: also drop the instance's database and role and delete its filestore (take a snapshot "
                        + "first). Default false: they stay on the server")
            ], status: .accepted, response: .reference("Job")
        ) { call in
            var instance = try await instance(call)
            let dropData = try call.queryBool("dropData", default: false)
            instance.status = .removing
            instance.statusReason = dropData ? "removing with its data" : "removing; its data stays"
            _ = try await call.store.updateInstance(instance)
            return .json(try await enqueue(call, instance, dropData ? .instancePurge : .instanceRemove))
        },
    ]

    static func instance(_ call: RouteCall) async throws -> Instance {
        guard
            let instance = try await call.store.instance(
                organizationId: try call.caller.organization.id, id: try call.parameter("instanceId"))
        else { throw SlipwayError.notFound("instance") }
        return instance
    }

    /// Queues an action on the instance; actions on one instance run one at a time, in order.
    static func enqueue(_ call: RouteCall, _ instance: Instance, _ kind: Job.Kind) async throws -> Job {
        let job = Job(
            organizationId: instance.organizationId, kind: kind, subjectId: instance.id,
            concurrencyKey: "instance:\(instance.id)", createdAt: call.backend.clock())
        try await call.store.enqueueJob(job)
        return job
    }
}
