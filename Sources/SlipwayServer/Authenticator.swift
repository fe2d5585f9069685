import Foundation
import HTTPTypes
import Hummingbird
import SlipwayCore
import SlipwayStore

/// Turns `Authorization: Bearer ...` (and `X-Org-Slug`) into an `Identity`, or refuses.
struct Authenticator: Sendable {
    let store: any Store
    let clock: @Sendable () -> Date

    /// How stale `lastUsedAt` may get before it is written again; writing on every request
    /// would put a write on every read.
    static let lastUsedResolution: TimeInterval = 60

    func identify(_ request: Request) async throws -> Identity {
        guard let header = request.headers[.authorization] else {
            throw Self.unauthorized("missing Authorization header: send 'Authorization: Bearer <token>'")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else {
            throw Self.unauthorized("the Authorization header must be 'Bearer <token>'")
        }
        let secret = String(parts[1]).trimmingCharacters(in: .whitespaces)
        let now = clock()
        guard let token = try await store.token(secretHash: TokenSecret.hash(secret)) else {
            throw Self.unauthorized("unknown token")
        }
        guard token.revokedAt == nil else { throw Self.unauthorized("this token was revoked") }
        if let expiresAt = token.expiresAt, expiresAt <= now { throw Self.unauthorized("this token expired") }
        let identity = try await resolve(token, requestedSlug: request.headers[orgSlugHeader])
        if token.lastUsedAt.map({ now.timeIntervalSince($0) > Self.lastUsedResolution }) ?? true {
            try await store.recordTokenUse(id: token.id, at: now)
        }
        return identity
    }

    private func resolve(_ token: APIToken, requestedSlug: String?) async throws -> Identity {
        switch token.kind {
        case .apiKey:
            guard let organizationId = token.organizationId,
                let organization = try await store.organization(id: organizationId)
            else {
                throw Self.unauthorized("the organization of this key no longer exists")
            }
            if let requestedSlug, requestedSlug != organization.slug {
                throw SlipwayError(
                    .notFound, code: "organization_not_found",
                    message: "organization '\(requestedSlug)' not found for this key")
            }
            let maker = try await token.userId.asyncMap { try await store.user(id: $0) } ?? nil
            return Identity(
                token: token, user: maker, organization: organization, permissions: PermissionSet(token.permissions),
                role: token.role)
        case .personal:
            guard let userId = token.userId else { throw Self.unauthorized("the user of this token no longer exists") }
            guard let (user, organization, member) = try await store.membership(userId: userId, slug: requestedSlug)
            else {
                if let requestedSlug {
                    throw SlipwayError(
                        .notFound, code: "organization_not_found",
                        message: "organization '\(requestedSlug)' not found among yours")
                }
                throw SlipwayError(
                    .forbidden, code: "no_organization", message: "you are not a member of any organization")
            }
            return Identity(
                token: token, user: user, organization: organization,
                permissions: try await permissions(ofRole: member.role, organizationId: organization.id),
                role: member.role)
        }
    }

    func permissions(ofRole role: String, organizationId: String) async throws -> PermissionSet {
        if let system = SystemRole(rawValue: role) { return system.permissions }
        guard let custom = try await store.role(organizationId: organizationId, id: role) else {
            return PermissionSet([])
        }
        return PermissionSet(custom.permissions)
    }

    static func unauthorized(_ message: String) -> SlipwayError {
        SlipwayError(.unauthorized, code: "unauthorized", message: message)
    }
}

let orgSlugHeader = HTTPField.Name("X-Org-Slug")!

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
