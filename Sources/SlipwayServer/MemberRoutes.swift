import SlipwayCore

/// Members of the organization the caller acts in: list, read, change role, remove.
/// The last owner can be neither demoted nor removed, and only owners hand out or take away ownership.
enum MemberRoutes {
    struct ChangeRole: Decodable {
        var role: String
        static let schema = Schema.object(
            properties: ["role": .string(minLength: 1, maxLength: 100)], required: ["role"])
    }

    static let all: [APIRoute] = [
        APIRoute(
            .get, "/api/members", access: .permission(.view(.members)), summary: "Members of the organization",
            resource: "members", response: Schemas.list("Member")
        ) { call in
            .json(ItemList(try await call.store.members(organizationId: try call.caller.organization.id)))
        },
        APIRoute(
            .get, "/api/members/{userId}", access: .permission(.view(.members)), summary: "One member",
            resource: "members",
            response: .reference("Member")
        ) { call in
            .json(try await member(call))
        },
        APIRoute(
            .patch, "/api/members/{userId}", access: .permission(.manage(.members)), summary: "Change a member's role",
            resource: "members", body: ChangeRole.schema, response: .reference("Member")
        ) { call in
            let caller = try call.caller
            let current = try await member(call)
            let input = try call.decode(ChangeRole.self)
            try await RoleRoutes.requireKnownRole(input.role, field: "role", call)
            let touchesOwnership = input.role == SystemRole.owner.rawValue || current.role == SystemRole.owner.rawValue
            if touchesOwnership, !caller.isOwner {
                throw SlipwayError(
                    .forbidden, code: "owner_required", message: "only an owner can make or unmake owners")
            }
            guard
                let updated = try await call.store.updateMemberRole(
                    organizationId: caller.organization.id, userId: current.userId, role: input.role)
            else { throw SlipwayError.notFound("member") }
            return .json(updated)
        },
        APIRoute(
            .delete, "/api/members/{userId}", access: .permission(.manage(.members)),
            summary: "Remove a member from the organization", resource: "members", status: .noContent, response: nil
        ) { call in
            let caller = try call.caller
            let current = try await member(call)
            if current.role == SystemRole.owner.rawValue, !caller.isOwner {
                throw SlipwayError(.forbidden, code: "owner_required", message: "only an owner can remove an owner")
            }
            guard try await call.store.removeMember(organizationId: caller.organization.id, userId: current.userId)
            else {
                throw SlipwayError.notFound("member")
            }
            return .empty
        },
    ]

    private static func member(_ call: RouteCall) async throws -> Member {
        guard
            let member = try await call.store.member(
                organizationId: try call.caller.organization.id, userId: try call.parameter("userId"))
        else { throw SlipwayError.notFound("member") }
        return member
    }
}
