import Foundation
import SlipwayCore

extension SQLStore {
    public func createToken(_ token: APIToken, secretHash: String) async throws {
        try await write(conflict: "token", "token clash, try again") {
            try await Self.insertToken(token, secretHash: secretHash, $0)
        }
    }

    public func token(secretHash: String) async throws -> APIToken? {
        try await read {
            try await $0.first("SELECT * FROM api_tokens WHERE secret_hash = ?", [.text(secretHash)]).map(APIToken.init)
        }
    }

    public func apiKeys(organizationId: String) async throws -> [APIToken] {
        try await read {
            try await $0.query(
                "SELECT * FROM api_tokens WHERE organization_id = ? AND kind = 'apiKey' ORDER BY created_at DESC, id DESC",
                .text(organizationId)
            ).map(APIToken.init)
        }
    }

    public func apiKey(organizationId: String, id: String) async throws -> APIToken? {
        try await read { try await Self.apiKey(organizationId, id, $0) }
    }

    public func revokeAPIKey(organizationId: String, id: String, at date: Date) async throws -> APIToken? {
        try await write { connection in
            try await connection.execute(
                "UPDATE api_tokens SET revoked_at = ? WHERE organization_id = ? AND id = ? AND kind = 'apiKey' AND revoked_at IS NULL",
                .init(date), .text(organizationId), .text(id))
            return try await Self.apiKey(organizationId, id, connection)
        }
    }

    public func recordTokenUse(id: String, at date: Date) async throws {
        try await write {
            try await $0.execute("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", .init(date), .text(id))
        }
    }

    private static func apiKey(_ organizationId: String, _ id: String, _ connection: any SQLConnection) async throws
        -> APIToken?
    {
        try await connection.first(
            "SELECT * FROM api_tokens WHERE organization_id = ? AND id = ? AND kind = 'apiKey'",
            [.text(organizationId), .text(id)]
        ).map(APIToken.init)
    }

    static func insertToken(_ token: APIToken, secretHash: String, _ connection: any SQLConnection) async throws {
        try await connection.execute(
            """
            INSERT INTO api_tokens (id, kind, name, prefix, secret_hash, organization_id, user_id, permissions, role,
                expires_at, revoked_at, last_used_at, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            .text(token.id), .text(token.kind.rawValue), .text(token.name), .text(token.prefix), .text(secretHash),
            .init(token.organizationId), .init(token.userId), .text(token.permissions.json), .init(token.role),
            .init(token.expiresAt), .init(token.revokedAt), .init(token.lastUsedAt), .init(token.createdAt))
    }
}
