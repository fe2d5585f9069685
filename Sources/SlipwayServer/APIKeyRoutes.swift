import Foundation
import SlipwayCore

/// Organization API keys: made from a role or a list of permissions, never more than the maker holds,
/// shown once, stored hashed, revocable, optionally expiring.
enum APIKeyRoutes {
    struct Create: Decodable {
        var name: String
        var role: String?
        var permissions: [Permission]?
        var expiresAt: Date?
        static let schema = Schema.object(
            properties: [
                "name": Schemas.name, "role": .string(minLength: 1, maxLength: 100), "permissions": Schemas.permissions,
                "expiresAt": .dateTime,
            ], required: ["name"])
    }

    /// The key's record plus its secret, answered once at creation.
    struct Created: Encodable, Sendable {
        var key: APIToken
        var token: String

        func encode(to encoder: any Encoder) throws {
            try key.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(token, forKey: .token)
        }

        enum Keys: String, CodingKey { case token }
    }

    static let all: [APIRoute] = [
        APIRoute(
            .post, "/api/api-keys", access: .permission(.manage(.apikeys)),
            summary: "Create an API key; its secret is in `token`, shown only in this answer", resource: "apikeys",
            body: Create.schema, status: .created, response: .reference("CreatedAPIKey")
        ) { call in
            let caller = try call.caller
            let input = try call.decode(Create.self)
            try Validation.name(input.name)
            let granted: PermissionSet
            switch (input.role, input.permissions) {
            case (let role?, nil):
                try await RoleRoutes.requireKnownRole(role, field: "role", call)
                granted = try await RoleRoutes.permissions(of: role, call)
            case (nil, let permissions?):
                guard !permissions.isEmpty else {
                    throw SlipwayError.invalid("permissions", "must name at least one permission")
                }
                granted = PermissionSet(permissions)
            case (nil, nil):
                throw SlipwayError.invalid("role", "give either a role or a list of permissions")
            case (.some, .some):
                throw SlipwayError.invalid("permissions", "give either a role or a list of permissions, not both")
            }
            guard caller.permissions.covers(granted) else {
                throw SlipwayError(
                    .forbidden, code: "escalation", message: "a key cannot hold permissions you do not have",
                    field: "permissions")
            }
            let now = call.backend.clock()
            if let expiresAt = input.expiresAt, expiresAt <= now {
                throw SlipwayError.invalid("expiresAt", "must be in the future")
            }
            let secret = TokenSecret.make(kind: .apiKey)
            let key = APIToken(
                kind: .apiKey, name: input.name, prefix: TokenSecret.displayPrefix(secret),
                organizationId: caller.organization.id,
                userId: caller.user?.id, permissions: granted.sorted, role: input.role, expiresAt: input.expiresAt,
                createdAt: now)
            try await call.store.createToken(key, secretHash: TokenSecret.hash(secret))
            return .json(Created(key: key, token: secret))
        },
        APIRoute(
            .get, "/api/api-keys", access: .permission(.view(.apikeys)),
            summary: "The organization's API keys (no secrets)",
            resource: "apikeys", response: Schemas.list("APIKey")
        ) { call in
            .json(ItemList(try await call.store.apiKeys(organizationId: try call.caller.organization.id)))
        },
        APIRoute(
            .get, "/api/api-keys/{apiKeyId}", access: .permission(.view(.apikeys)), summary: "One API key (no secret)",
            resource: "apikeys", response: .reference("APIKey")
        ) { call in
            guard
                let key = try await call.store.apiKey(
                    organizationId: try call.caller.organization.id, id: try call.parameter("apiKeyId"))
            else { throw SlipwayError.notFound("API key") }
            return .json(key)
        },
        APIRoute(
            .delete, "/api/api-keys/{apiKeyId}", access: .permission(.manage(.apikeys)),
            summary: "Revoke an API key: it is refused from now on", resource: "apikeys", status: .noContent,
            response: nil
        ) { call in
            let caller = try call.caller
            guard
                try await call.store.revokeAPIKey(
                    organizationId: caller.organization.id, id: try call.parameter("apiKeyId"), at: call.backend.clock()
                ) != nil
            else { throw SlipwayError.notFound("API key") }
            return .empty
        },
    ]
}
