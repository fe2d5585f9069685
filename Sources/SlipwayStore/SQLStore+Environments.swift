import Foundation
import SlipwayCore

extension SQLStore {
    public func createEnvironment(_ environment: Environment) async throws {
        try await write(conflict: "name", "an environment named '\(environment.name)' already exists in this project") {
            try await $0.execute(
                """
                INSERT INTO environments (id, organization_id, project_id, name, type, branch, auto_deploy,
                    health_check_timeout, module_update, module_update_modules, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                .text(environment.id), .text(environment.organizationId), .text(environment.projectId),
                .text(environment.name),
                .text(environment.type.rawValue), .text(environment.branch), .init(environment.autoDeploy),
                .init(environment.healthCheckTimeoutSeconds), .text(environment.moduleUpdate.rawValue),
                .text(environment.moduleUpdateModules.joined(separator: ",")),
                .init(environment.createdAt), .init(environment.updatedAt))
        }
    }

    public func environments(organizationId: String, projectId: String) async throws -> [Environment] {
        try await read {
            try await $0.query(
                "SELECT * FROM environments WHERE organization_id = ? AND project_id = ? ORDER BY created_at, id",
                .text(organizationId), .text(projectId)
            ).map(Environment.init)
        }
    }

    public func environment(organizationId: String, id: String) async throws -> Environment? {
        try await read { try await Self.environment(organizationId, id, $0) }
    }

    public func updateEnvironment(_ environment: Environment) async throws -> Environment? {
        try await write(conflict: "name", "an environment named '\(environment.name)' already exists in this project") {
            try await $0.execute(
                """
                UPDATE environments SET name = ?, type = ?, branch = ?, auto_deploy = ?, health_check_timeout = ?,
                    module_update = ?, module_update_modules = ?, updated_at = ?
                WHERE organization_id = ? AND id = ?
                """,
                .text(environment.name), .text(environment.type.rawValue), .text(environment.branch),
                .init(environment.autoDeploy), .init(environment.healthCheckTimeoutSeconds),
                .text(environment.moduleUpdate.rawValue), .text(environment.moduleUpdateModules.joined(separator: ",")),
                .init(Date()), .text(environment.organizationId), .text(environment.id))
            return try await Self.environment(environment.organizationId, environment.id, $0)
        }
    }

    public func deleteEnvironment(organizationId: String, id: String) async throws -> Bool {
        try await write {
            try await $0.execute(
                "DELETE FROM environments WHERE organization_id = ? AND id = ?", .text(organizationId), .text(id)) > 0
        }
    }

    private static func environment(_ organizationId: String, _ id: String, _ connection: any SQLConnection)
        async throws -> Environment?
    {
        try await connection.first(
            "SELECT * FROM environments WHERE organization_id = ? AND id = ?", [.text(organizationId), .text(id)]
        ).map(Environment.init)
    }
}
