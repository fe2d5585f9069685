import Foundation
import SlipwayCore

/// Roles: the four system roles and the organization's custom roles (named permission sets).
enum RoleRoutes {
    struct Create: Decodable {
        var name: String
        var permissions: [Permission]
        static let schema = Schema.object(
            properties: ["name": Schemas.name, "permissions": Schemas.permissions], required: ["name", "permissions"])
    }

    /// A role as listed: system roles have their name as id and no creation date.
    struct View: Encodable, Sendable {
        var id: String
        var name: String
        var permissions: [Permission]
        var system: Bool
        var createdAt: Date?

        init(_ role: Role) {
            self.init(
                id: role.id, name: role.name, permissions: PermissionSet(role.permissions).sorted, system: false,
                createdAt: role.createdAt)
        }

        init(_ role: SystemRole) {
            self.init(
                id: role.rawValue, name: role.rawValue, permissions: role.permissions.sorted, system: true,
                createdAt: nil)
        }

        init(id: String, name: String, permissions: [Permission], system: Bool, createdAt: Date?) {
            self.id = id
            self.name = name
            self.permissions = permissions
            self.system = system
            self.createdAt = createdAt
        }
    }

    static let all: [APIRoute] = [
        APIRoute(
            .get, "/api/roles", access: .permission(.view(.members)), summary: "System and custom roles",
            resource: "roles",
            response: Schemas.list("Role")
        ) { call in
            let custom = try await call.store.roles(organizationId: try call.caller.organization.id)
            return .json(ItemList(SystemRole.allCases.map(View.init) + custom.map(View.init)))
        },
        APIRoute(
            .post, "/api/roles", access: .permission(.manage(.members)), summary: "Create a custom role",
            resource: "roles",
            body: Create.schema, status: .created, response: .reference("Role")
        ) { call in
            let caller = try call.caller
            let input = try call.decode(Create.self)
            try Validation.name(input.name)
            guard SystemRole(rawValue: input.name) == nil else {
                throw SlipwayError.invalid("name", "'\(input.name)' is a system role's name")
            }
            guard !input.permissions.isEmpty else {
                throw SlipwayError.invalid("permissions", "must name at least one permission")
            }
            guard caller.permissions.covers(PermissionSet(input.permissions)) else {
                throw SlipwayError(
                    .forbidden, code: "escalation", message: "a role cannot hold permissions you do not have",
                    field: "permissions")
            }
            let role = Role(
                organizationId: caller.organization.id, name: input.name,
                permissions: PermissionSet(input.permissions).sorted, createdAt: call.backend.clock())
            try await call.store.createRole(role)
            return .json(View(role))
        },
        APIRoute(
            .delete, "/api/roles/{roleId}", access: .permission(.manage(.members)),
            summary: "Delete a custom role no member holds",
            resource: "roles", status: .noContent, response: nil
        ) { call in
            guard
                try await call.store.deleteRole(
                    organizationId: try call.caller.organization.id, id: try call.parameter("roleId"))
            else {
                throw SlipwayError.notFound("role")
            }
            return .empty
        },
    ]

    /// A system role's name or the id of one of this organization's custom roles.
    static func requireKnownRole(_ role: String, field: String, _ call: RouteCall) async throws {
        if SystemRole(rawValue: role) != nil { return }
        guard try await call.store.role(organizationId: try call.caller.organization.id, id: role) != nil else {
            throw SlipwayError.invalid(
                field,
                "'\(role.prefix(60))' is neither a system role (owner, admin, developer, viewer) nor a custom role id")
        }
    }

    /// The permissions a role grants in the caller's organization.
    static func permissions(of role: String, _ call: RouteCall) async throws -> PermissionSet {
        if let system = SystemRole(rawValue: role) { return system.permissions }
        guard let custom = try await call.store.role(organizationId: try call.caller.organization.id, id: role) else {
            throw SlipwayError.invalid("role", "no role '\(role.prefix(60))'")
        }
        return PermissionSet(custom.permissions)
    }
}
