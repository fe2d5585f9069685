import Foundation
import SlipwayCore

/// An instance's secrets: set and removed by name, sealed in the store, given to its containers as
/// environment variables at their next (re)start, never answered.
enum InstanceSecretRoutes {
    struct Put: Decodable {
        var value: String
        static let schema = Schema.object(properties: ["value": .string(maxLength: 65536)], required: ["value"])
    }

    static let all: [APIRoute] = [
        APIRoute(
            .put, "/api/instances/{instanceId}/secrets/{name}", access: .permission(.manage(.instances)),
            summary: "Set a secret of the instance (an environment variable; takes effect at the next restart)",
            resource: "instances", body: Put.schema, status: .noContent, response: nil
        ) { call in
            let instance = try await InstanceRoutes.instance(call)
            let name = try call.parameter("name")
            try Validation.environmentName(name, field: "name")
            let input = try call.decode(Put.self)
            try Validation.environmentValue(input.value, field: "value", limit: 65536)
            guard
                try await call.store.setInstanceSecret(
                    organizationId: instance.organizationId, instanceId: instance.id, name: name,
                    encryptedValue: try call.backend.secrets.seal(input.value))
            else { throw SlipwayError.notFound("instance") }
            return .empty
        },
        APIRoute(
            .delete, "/api/instances/{instanceId}/secrets/{name}", access: .permission(.manage(.instances)),
            summary: "Remove a secret of the instance", resource: "instances", status: .noContent, response: nil
        ) { call in
            let instance = try await InstanceRoutes.instance(call)
            guard
                try await call.store.deleteInstanceSecret(
                    organizationId: instance.organizationId, instanceId: instance.id, name: try call.parameter("name"))
            else { throw SlipwayError.notFound("secret") }
            return .empty
        },
    ]
}
