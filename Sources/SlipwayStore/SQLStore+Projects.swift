import Foundation
import SlipwayCore

extension SQLStore {
    public func createProject(_ project: Project) async throws {
        try await write(conflict: "name", "a project named '\(project.name)' already exists") { connection in
            try await connection.execute(
                """
                INSERT INTO projects (id, organization_id, name, repo_url, kind, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
                .text(project.id), .text(project.organizationId), .text(project.name), .text(project.repoUrl),
                .text(project.kind.rawValue), .init(project.createdAt), .init(project.updatedAt))
            try await Self.replaceBranchMappings(project, connection)
        }
    }

    public func projects(organizationId: String) async throws -> [Project] {
        try await read { connection in
            let rows = try await connection.query(
                "SELECT * FROM projects WHERE organization_id = ? ORDER BY name", .text(organizationId))
            let mappings = try await connection.query(
                """
                SELECT b.* FROM branch_mappings b JOIN projects p ON p.id = b.project_id
                WHERE p.organization_id = ? ORDER BY b.priority DESC, b.branch_pattern
                """, .text(organizationId))
            let byProject = try Dictionary(grouping: mappings) { try $0.string("project_id") }
            return try rows.map { row in
                try Project(row, branchMappings: (byProject[try row.string("id")] ?? []).map(BranchMapping.init))
            }
        }
    }

    public func project(organizationId: String, id: String) async throws -> Project? {
        try await read { try await Self.project(organizationId, id, $0) }
    }

    public func updateProject(_ project: Project) async throws -> Project? {
        try await write(conflict: "name", "a project named '\(project.name)' already exists") { connection in
            let changed = try await connection.execute(
                "UPDATE projects SET name = ?, repo_url = ?, updated_at = ? WHERE organization_id = ? AND id = ?",
                .text(project.name), .text(project.repoUrl), .init(Date()), .text(project.organizationId),
                .text(project.id))
            guard changed > 0 else { return nil }
            try await Self.replaceBranchMappings(project, connection)
            return try await Self.project(project.organizationId, project.id, connection)
        }
    }

    public func deleteProject(organizationId: String, id: String) async throws -> Bool {
        try await write {
            try await $0.execute(
                "DELETE FROM projects WHERE organization_id = ? AND id = ?", .text(organizationId), .text(id)) > 0
        }
    }

    private static func project(_ organizationId: String, _ id: String, _ connection: any SQLConnection) async throws
        -> Project?
    {
        guard
            let row = try await connection.first(
                "SELECT * FROM projects WHERE organization_id = ? AND id = ?", [.text(organizationId), .text(id)])
        else { return nil }
        let mappings = try await connection.query(
            "SELECT * FROM branch_mappings WHERE project_id = ? ORDER BY priority DESC, branch_pattern", .text(id))
        return try Project(row, branchMappings: mappings.map(BranchMapping.init))
    }

    /// Mappings may only point at environments of the same project.
    private static func replaceBranchMappings(_ project: Project, _ connection: any SQLConnection) async throws {
        try await connection.execute("DELETE FROM branch_mappings WHERE project_id = ?", .text(project.id))
        var seen = Set<String>()
        for (index, mapping) in project.branchMappings.enumerated() {
            guard seen.insert(mapping.branchPattern).inserted else {
                throw SlipwayError.invalid(
                    "branchMappings[\(index)].branchPattern", "'\(mapping.branchPattern)' is mapped twice")
            }
            let environment = try await connection.first(
                "SELECT id FROM environments WHERE id = ? AND project_id = ?",
                [.text(mapping.environmentId), .text(project.id)])
            guard environment != nil else {
                throw SlipwayError.invalid(
                    "branchMappings[\(index)].environmentId",
                    "no environment '\(mapping.environmentId)' in this project")
            }
            try await connection.execute(
                "INSERT INTO branch_mappings (project_id, branch_pattern, environment_id, priority) VALUES (?, ?, ?, ?)",
                .text(project.id), .text(mapping.branchPattern), .text(mapping.environmentId), .init(mapping.priority))
        }
    }
}
