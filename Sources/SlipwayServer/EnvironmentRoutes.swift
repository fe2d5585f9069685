import Foundation
import SlipwayCore

/// Environments of a project: production, staging, development, each tied to a branch.
enum EnvironmentRoutes {
    struct Create: Decodable {
        var name: String
        var type: Environment.Kind
        var branch: String
        var autoDeploy: Bool?
        var healthCheckTimeoutSeconds: Int?
        var moduleUpdate: Environment.ModuleUpdatePolicy?
        var moduleUpdateModules: [String]?
        static let schema = Schema.object(
            properties: [
                "name": Schemas.name, "type": .enumeration(Environment.Kind.self),
                "branch": .string(minLength: 1, maxLength: 255),
                "autoDeploy": .boolean,
            ].merging(deploySettings) { $1 }, required: ["name", "type", "branch"])
    }

    struct Update: Decodable {
        var name: String?
        var type: Environment.Kind?
        var branch: String?
        var autoDeploy: Bool?
        var healthCheckTimeoutSeconds: Int?
        var moduleUpdate: Environment.ModuleUpdatePolicy?
        var moduleUpdateModules: [String]?
        static let schema = Schema.object(
            properties: [
                "name": Schemas.name, "type": .enumeration(Environment.Kind.self),
                "branch": .string(minLength: 1, maxLength: 255),
                "autoDeploy": .boolean,
            ].merging(deploySettings) { $1 })
    }

    /// The deploy settings a create or an update may give.
    static let deploySettings: [String: Schema] = [
        "healthCheckTimeoutSeconds": .integer(minimum: 5, maximum: 3600),
        "moduleUpdate": .enumeration(Environment.ModuleUpdatePolicy.self),
        "moduleUpdateModules": .array(.string(minLength: 1, maxLength: 64, pattern: "^[a-z0-9_]+$"), maxItems: 100),
    ]

    static let all: [APIRoute] = [
        APIRoute(
            .post, "/api/projects/{projectId}/environments", access: .permission(.manage(.environments)),
            summary: "Create an environment of a project", resource: "environments", body: Create.schema,
            status: .created,
            response: .reference("Environment")
        ) { call in
            let project = try await ProjectRoutes.project(call)
            let input = try call.decode(Create.self)
            try Validation.name(input.name)
            try Validation.gitRef(input.branch, field: "branch")
            let now = call.backend.clock()
            let environment = Environment(
                organizationId: project.organizationId, projectId: project.id, name: input.name, type: input.type,
                branch: input.branch, autoDeploy: input.autoDeploy ?? true,
                healthCheckTimeoutSeconds: input.healthCheckTimeoutSeconds ?? Environment.defaultHealthCheckTimeout,
                moduleUpdate: input.moduleUpdate ?? .changed, moduleUpdateModules: input.moduleUpdateModules ?? [],
                createdAt: now, updatedAt: now)
            try environment.validateDeploySettings()
            try await call.store.createEnvironment(environment)
            return .json(environment)
        },
        APIRoute(
            .get, "/api/projects/{projectId}/environments", access: .permission(.view(.environments)),
            summary: "The environments of a project", resource: "environments", response: Schemas.list("Environment")
        ) { call in
            let project = try await ProjectRoutes.project(call)
            return .json(
                ItemList(
                    try await call.store.environments(organizationId: project.organizationId, projectId: project.id)))
        },
        APIRoute(
            .get, "/api/environments/{environmentId}", access: .permission(.view(.environments)),
            summary: "One environment",
            resource: "environments", response: .reference("Environment")
        ) { call in
            .json(try await environment(call))
        },
        APIRoute(
            .patch, "/api/environments/{environmentId}", access: .permission(.manage(.environments)),
            summary: "Change an environment's name, type, branch, auto-deploy or deploy settings",
            resource: "environments",
            body: Update.schema,
            response: .reference("Environment")
        ) { call in
            var current = try await environment(call)
            let input = try call.decode(Update.self)
            if let name = input.name {
                try Validation.name(name)
                current.name = name
            }
            if let branch = input.branch {
                try Validation.gitRef(branch, field: "branch")
                current.branch = branch
            }
            current.type = input.type ?? current.type
            current.autoDeploy = input.autoDeploy ?? current.autoDeploy
            current.healthCheckTimeoutSeconds = input.healthCheckTimeoutSeconds ?? current.healthCheckTimeoutSeconds
            current.moduleUpdate = input.moduleUpdate ?? current.moduleUpdate
            current.moduleUpdateModules = input.moduleUpdateModules ?? current.moduleUpdateModules
            try current.validateDeploySettings()
            guard let updated = try await call.store.updateEnvironment(current) else {
                throw SlipwayError.notFound("environment")
            }
            return .json(updated)
        },
        APIRoute(
            .delete, "/api/environments/{environmentId}", access: .permission(.manage(.environments)),
            summary: "Delete an environment with its instances' records", resource: "environments", status: .noContent,
            response: nil
        ) { call in
            guard
                try await call.store.deleteEnvironment(
                    organizationId: try call.caller.organization.id, id: try call.parameter("environmentId"))
            else { throw SlipwayError.notFound("environment") }
            return .empty
        },
    ]

    /// The environment named by `{environmentId}` in the caller's organization.
    static func environment(_ call: RouteCall) async throws -> Environment {
        guard
            let environment = try await call.store.environment(
                organizationId: try call.caller.organization.id, id: try call.parameter("environmentId"))
        else { throw SlipwayError.notFound("environment") }
        return environment
    }
}
