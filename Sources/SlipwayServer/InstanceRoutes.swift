import Foundation
import SlipwayCore

/// Instance records of an environment. Running them is the instances issue's work; an instance of a
/// Git project starts as `created`, waiting for its first deployment.
enum InstanceRoutes {
    struct Create: Decodable {
        var name: String
        var serverId: String
        var port: Int?
        var healthPath: String?
        var image: String?
        static let schema = Schema.object(
            properties: [
                "name": Schemas.name, "serverId": Schemas.id, "port": Schemas.port,
                "healthPath": .string(minLength: 1, maxLength: 1024, pattern: "^/"),
                "image": .string(minLength: 1, maxLength: 512),
            ], required: ["name", "serverId"])
    }

    static let all: [APIRoute] = [
        APIRoute(
            .post, "/api/environments/{environmentId}/instances", access: .permission(.manage(.instances)),
            summary: "Add an instance to an environment, on one of the organization's servers", resource: "instances",
            body: Create.schema, status: .created, response: .reference("Instance")
        ) { call in
            let environment = try await EnvironmentRoutes.environment(call)
            let input = try call.decode(Create.self)
            try Validation.name(input.name)
            if let port = input.port { try Validation.port(port) }
            if let path = input.healthPath, !path.hasPrefix("/") || path.contains(where: { $0.isWhitespace }) {
                throw SlipwayError.invalid("healthPath", "must be a URL path starting with '/', like /web/health")
            }
            if let image = input.image, image.contains(where: { $0.isWhitespace }) || image.hasPrefix("-") {
                throw SlipwayError.invalid("image", "must be an image reference like registry.example.com/app:1.2")
            }
            guard try await call.store.server(organizationId: environment.organizationId, id: input.serverId) != nil
            else {
                throw SlipwayError.invalid("serverId", "no server '\(input.serverId.prefix(60))' in this organization")
            }
            let now = call.backend.clock()
            let instance = Instance(
                organizationId: environment.organizationId, projectId: environment.projectId,
                environmentId: environment.id,
                serverId: input.serverId, name: input.name, status: .created, port: input.port,
                healthPath: input.healthPath,
                image: input.image, createdAt: now, updatedAt: now)
            try await call.store.createInstance(instance)
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
            guard
                let instance = try await call.store.instance(
                    organizationId: try call.caller.organization.id, id: try call.parameter("instanceId"))
            else { throw SlipwayError.notFound("instance") }
            return .json(instance)
        },
        APIRoute(
            .delete, "/api/instances/{instanceId}", access: .permission(.manage(.instances)),
            summary: "Delete an instance's record",
            resource: "instances", status: .noContent, response: nil
        ) { call in
            guard
                try await call.store.deleteInstance(
                    organizationId: try call.caller.organization.id, id: try call.parameter("instanceId"))
            else { throw SlipwayError.notFound("instance") }
            return .empty
        },
    ]
}
