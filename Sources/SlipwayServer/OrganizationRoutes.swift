import Foundation
import SlipwayCore

/// Organizations: create (the caller becomes owner), list the caller's, read, rename, delete.
enum OrganizationRoutes {
    struct Create: Decodable {
        var name: String
        var slug: String
        static let schema = Schema.object(
            properties: ["name": Schemas.name, "slug": Schemas.slug], required: ["name", "slug"])
    }

    struct Rename: Decodable {
        var name: String
        static let schema = Schema.object(properties: ["name": Schemas.name], required: ["name"])
    }

    static let all: [APIRoute] = [
        APIRoute(
            .post, "/api/organizations", access: .authenticated,
            summary: "Create an organization; you become its owner",
            resource: "organizations", body: Create.schema, status: .created, response: .reference("Organization")
        ) { call in
            let caller = try call.caller
            guard caller.token.kind == .personal, let user = caller.user else {
                throw SlipwayError(
                    .forbidden, code: "personal_token_required",
                    message: "API keys belong to one organization: use a personal token to create another")
            }
            let input = try call.decode(Create.self)
            try Validation.name(input.name)
            try Validation.slug(input.slug)
            let organization = Organization(
                name: input.name.trimmingCharacters(in: .whitespaces), slug: input.slug, createdAt: call.backend.clock()
            )
            try await call.store.createOrganization(organization, ownerId: user.id)
            return .json(organization)
        },
        APIRoute(
            .get, "/api/organizations", access: .authenticated, summary: "The organizations the caller can act in",
            resource: "organizations", response: Schemas.list("Organization")
        ) { call in
            .json(ItemList(try await visibleOrganizations(call)))
        },
        APIRoute(
            .get, "/api/organizations/{organizationId}", access: .authenticated, summary: "One organization",
            resource: "organizations", response: .reference("Organization")
        ) { call in
            let id = try call.parameter("organizationId")
            guard let organization = try await visibleOrganizations(call).first(where: { $0.id == id }) else {
                throw SlipwayError.notFound("organization")
            }
            return .json(organization)
        },
        APIRoute(
            .patch, "/api/organizations/{organizationId}", access: .permission(.manage(.settings)),
            summary: "Rename the organization the caller acts in", resource: "organizations", body: Rename.schema,
            response: .reference("Organization")
        ) { call in
            let organization = try currentOrganization(call)
            let input = try call.decode(Rename.self)
            try Validation.name(input.name)
            guard let renamed = try await call.store.renameOrganization(id: organization.id, name: input.name) else {
                throw SlipwayError.notFound("organization")
            }
            return .json(renamed)
        },
        APIRoute(
            .delete, "/api/organizations/{organizationId}", access: .permission(.manage(.settings)),
            summary: "Delete the organization the caller acts in, with all its records (owners only)",
            resource: "organizations",
            status: .noContent, response: nil
        ) { call in
            let organization = try currentOrganization(call)
            guard try call.caller.isOwner else {
                throw SlipwayError(
                    .forbidden, code: "owner_required", message: "only an owner can delete an organization")
            }
            guard try await call.store.deleteOrganization(id: organization.id) else {
                throw SlipwayError.notFound("organization")
            }
            return .empty
        },
    ]

    /// A personal token sees the user's organizations; an API key, only its own.
    static func visibleOrganizations(_ call: RouteCall) async throws -> [Organization] {
        let caller = try call.caller
        if caller.token.kind == .personal, let user = caller.user {
            return try await call.store.organizations(userId: user.id)
        }
        return [caller.organization]
    }

    /// Changes apply to the organization the caller acts in (chosen by `X-Org-Slug`); any other id is not found.
    static func currentOrganization(_ call: RouteCall) throws -> Organization {
        let caller = try call.caller
        guard try call.parameter("organizationId") == caller.organization.id else {
            throw SlipwayError.notFound("organization")
        }
        return caller.organization
    }
}
