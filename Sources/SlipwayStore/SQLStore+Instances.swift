import Foundation
import SlipwayCore

extension SQLStore {
    public func createInstance(_ instance: Instance) async throws {
        try await write(conflict: "name", "an instance named '\(instance.name)' already exists in this environment") {
            try await $0.execute(
                """
                INSERT INTO instances (id, organization_id, project_id, environment_id, server_id, name, status, active_color,
                    port, health_path, image, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                .text(instance.id), .text(instance.organizationId), .text(instance.projectId),
                .text(instance.environmentId),
                .text(instance.serverId), .text(instance.name), .text(instance.status.rawValue),
                .init(instance.activeColor?.rawValue),
                .init(instance.port), .init(instance.healthPath), .init(instance.image), .init(instance.createdAt),
                .init(instance.updatedAt))
        }
    }

    public func instances(organizationId: String, environmentId: String) async throws -> [Instance] {
        try await read {
            try await $0.query(
                "SELECT * FROM instances WHERE organization_id = ? AND environment_id = ? ORDER BY name",
                .text(organizationId), .text(environmentId)
            ).map(Instance.init)
        }
    }

    public func instance(organizationId: String, id: String) async throws -> Instance? {
        try await read {
            try await $0.first(
                "SELECT * FROM instances WHERE organization_id = ? AND id = ?", [.text(organizationId), .text(id)]
            )
            .map(Instance.init)
        }
    }

    public func deleteInstance(organizationId: String, id: String) async throws -> Bool {
        try await write {
            try await $0.execute(
                "DELETE FROM instances WHERE organization_id = ? AND id = ?", .text(organizationId), .text(id)) > 0
        }
    }
}
