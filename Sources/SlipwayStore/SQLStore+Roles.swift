import Foundation
import SlipwayCore

extension SQLStore {
    public func createRole(_ role: Role) async throws {
        try await write(conflict: "name", "a role named '\(role.name)' already exists") {
            try await $0.execute(
                "INSERT INTO roles (id, organization_id, name, permissions, created_at) VALUES (?, ?, ?, ?, ?)",
                .text(role.id), .text(role.organizationId), .text(role.name), .text(role.permissions.json),
                .init(role.createdAt))
        }
    }

    public func roles(organizationId: String) async throws -> [Role] {
        try await read {
            try await $0.query("SELECT * FROM roles WHERE organization_id = ? ORDER BY name", .text(organizationId))
                .map(Role.init)
        }
    }

    public func role(organizationId: String, id: String) async throws -> Role? {
        try await read {
            try await $0.first(
                "SELECT * FROM roles WHERE organization_id = ? AND id = ?", [.text(organizationId), .text(id)]
            )
            .map(Role.init)
        }
    }

    public func deleteRole(organizationId: String, id: String) async throws -> Bool {
        try await write { connection in
            let holders = try await connection.query(
                "SELECT COUNT(*) AS n FROM members WHERE organization_id = ? AND role = ?", .text(organizationId),
                .text(id))
            if try (holders.first?.int("n") ?? 0) > 0 {
                throw SlipwayError(
                    .conflict, code: "role_in_use",
                    message: "members still hold this role: give them another role first")
            }
            return try await connection.execute(
                "DELETE FROM roles WHERE organization_id = ? AND id = ?", .text(organizationId), .text(id)) > 0
        }
    }
}
