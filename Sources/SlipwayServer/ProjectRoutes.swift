import Foundation
import SlipwayCore

/// Projects: a Git repository, an app kind and branch mappings to the project's environments.
enum ProjectRoutes {
    struct Create: Decodable {
        var name: String
        var repoUrl: String
        var kind: Project.Kind
        var branchMappings: [BranchMapping]?
        static let schema = Schema.object(
            properties: [
                "name": Schemas.name, "repoUrl": .string(minLength: 4, maxLength: 2048),
                "kind": .enumeration(Project.Kind.self),
                "branchMappings": .array(mappingSchema, maxItems: 100),
            ], required: ["name", "repoUrl", "kind"])
    }

    struct Update: Decodable {
        var name: String?
        var repoUrl: String?
        var branchMappings: [BranchMapping]?
        static let schema = Schema.object(
            properties: [
                "name": Schemas.name, "repoUrl": .string(minLength: 4, maxLength: 2048),
                "branchMappings": .array(mappingSchema, maxItems: 100),
            ])
    }

    static let mappingSchema = Schema.object(
        properties: [
            "branchPattern": .string(minLength: 1, maxLength: 255), "environmentId": Schemas.id,
            "priority": .integer(minimum: -1000, maximum: 1000),
        ],
        required: ["branchPattern", "environmentId", "priority"])

    static let all: [APIRoute] = [
        APIRoute(
            .post, "/api/projects", access: .permission(.manage(.projects)), summary: "Create a project",
            resource: "projects",
            body: Create.schema, status: .created, response: .reference("Project")
        ) { call in
            let caller = try call.caller
            let input = try call.decode(Create.self)
            try Validation.name(input.name)
            try Validation.repoURL(input.repoUrl)
            let mappings = input.branchMappings ?? []
            try validate(mappings)
            let now = call.backend.clock()
            let project = Project(
                organizationId: caller.organization.id, name: input.name, repoUrl: input.repoUrl, kind: input.kind,
                branchMappings: mappings.sorted { $0.priority > $1.priority }, createdAt: now, updatedAt: now)
            try await call.store.createProject(project)
            // Every project gets its own deploy key at once: its public half is what the user adds at the Git host.
            _ = try await DeployKeyRoutes.create(for: project, call)
            return .json(project)
        },
        APIRoute(
            .get, "/api/projects", access: .permission(.view(.projects)), summary: "The organization's projects",
            resource: "projects", response: Schemas.list("Project")
        ) { call in
            .json(ItemList(try await call.store.projects(organizationId: try call.caller.organization.id)))
        },
        APIRoute(
            .get, "/api/projects/{projectId}", access: .permission(.view(.projects)), summary: "One project",
            resource: "projects",
            response: .reference("Project")
        ) { call in
            .json(try await project(call))
        },
        APIRoute(
            .patch, "/api/projects/{projectId}", access: .permission(.manage(.projects)),
            summary: "Rename a project, change its repository or replace its branch mappings", resource: "projects",
            body: Update.schema, response: .reference("Project")
        ) { call in
            var current = try await project(call)
            let input = try call.decode(Update.self)
            if let name = input.name {
                try Validation.name(name)
                current.name = name
            }
            if let repoUrl = input.repoUrl {
                try Validation.repoURL(repoUrl)
                current.repoUrl = repoUrl
            }
            if let mappings = input.branchMappings {
                try validate(mappings)
                current.branchMappings = mappings
            }
            guard let updated = try await call.store.updateProject(current) else {
                throw SlipwayError.notFound("project")
            }
            return .json(updated)
        },
        APIRoute(
            .delete, "/api/projects/{projectId}", access: .permission(.manage(.projects)),
            summary: "Delete a project with its environments and records", resource: "projects", status: .noContent,
            response: nil
        ) { call in
            guard
                try await call.store.deleteProject(
                    organizationId: try call.caller.organization.id, id: try call.parameter("projectId"))
            else { throw SlipwayError.notFound("project") }
            return .empty
        },
    ]

    /// The project named by `{projectId}` in the caller's organization.
    static func project(_ call: RouteCall) async throws -> Project {
        guard
            let project = try await call.store.project(
                organizationId: try call.caller.organization.id, id: try call.parameter("projectId"))
        else { throw SlipwayError.notFound("project") }
        return project
    }

    private static func validate(_ mappings: [BranchMapping]) throws {
        for (index, mapping) in mappings.enumerated() {
            try Validation.branchPattern(mapping.branchPattern, field: "branchMappings[\(index)].branchPattern")
        }
    }
}
