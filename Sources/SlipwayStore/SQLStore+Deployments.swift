import Foundation
import SlipwayCore

extension SQLStore {
    public func createDeployment(_ deployment: Deployment) async throws {
        try await write { connection in
            try await connection.execute(
                """
                INSERT INTO deployments (id, organization_id, project_id, environment_id, instance_id, trigger_type, branch,
                    commit_sha, tag, commit_message, commit_author, status, snapshot_id, active_color, image_digest,
                    duration_ms, error, created_at, started_at, completed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                .text(deployment.id), .text(deployment.organizationId), .text(deployment.projectId),
                .text(deployment.environmentId), .init(deployment.instanceId), .text(deployment.triggerType.rawValue),
                .init(deployment.branch), .init(deployment.commitSha), .init(deployment.tag),
                .init(deployment.commitMessage),
                .init(deployment.commitAuthor), .text(deployment.status.rawValue), .init(deployment.snapshotId),
                .init(deployment.activeColor?.rawValue), .init(deployment.imageDigest), .init(deployment.durationMs),
                .init(deployment.error), .init(deployment.createdAt), .init(deployment.startedAt),
                .init(deployment.completedAt))
            try await connection.execute(
                """
                INSERT INTO deployment_counts (project_id, organization_id, total) VALUES (?, ?, 1)
                ON CONFLICT (project_id) DO UPDATE SET total = deployment_counts.total + 1
                """, .text(deployment.projectId), .text(deployment.organizationId))
            for (position, step) in deployment.steps.enumerated() {
                try await connection.execute(
                    """
                    INSERT INTO deployment_steps (deployment_id, position, name, status, output, duration_ms, started_at, completed_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    .text(deployment.id), .init(position), .text(step.name.rawValue), .text(step.status.rawValue),
                    .text(step.output), .init(step.durationMs), .init(step.startedAt), .init(step.completedAt))
            }
        }
    }

    public func deployments(organizationId: String, projectId: String, page: PageRequest) async throws -> Page<
        Deployment
    >? {
        try await read { connection in
            let scope: [SQLValue] = [.text(organizationId), .text(projectId)]
            guard
                try await connection.first("SELECT id FROM projects WHERE organization_id = ? AND id = ?", scope) != nil
            else { return nil }
            let total =
                try await connection.first(
                    "SELECT total FROM deployment_counts WHERE organization_id = ? AND project_id = ?", scope)?.int(
                    "total")
                ?? 0
            let rows = try await connection.query(
                """
                SELECT * FROM deployments WHERE organization_id = ? AND project_id = ?
                ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?
                """, scope + [.init(page.limit), .init(page.offset)])
            let steps = try await Self.steps(of: rows.map { try $0.string("id") }, connection)
            let items = try rows.map { row in try Deployment(row, steps: steps[try row.string("id")] ?? []) }
            return Page(items: items, total: total, limit: page.limit, offset: page.offset)
        }
    }

    public func deployment(organizationId: String, id: String) async throws -> Deployment? {
        try await read { connection in
            guard
                let row = try await connection.first(
                    "SELECT * FROM deployments WHERE organization_id = ? AND id = ?",
                    [.text(organizationId), .text(id)])
            else { return nil }
            return try Deployment(row, steps: try await Self.steps(of: [id], connection)[id] ?? [])
        }
    }

    public func deploymentStatusCounts() async throws -> [Deployment.Status: Int] {
        try await read { connection in
            var counts: [Deployment.Status: Int] = [:]
            for row in try await connection.query("SELECT status, COUNT(*) AS n FROM deployments GROUP BY status") {
                counts[try row.enum("status"), default: 0] += try row.int("n")
            }
            return counts
        }
    }

    /// The steps of several deployments in one query, in pipeline order.
    private static func steps(of deploymentIds: [String], _ connection: any SQLConnection) async throws -> [String:
        [Step]]
    {
        guard !deploymentIds.isEmpty else { return [:] }
        let placeholders = Array(repeating: "?", count: deploymentIds.count).joined(separator: ", ")
        let rows = try await connection.query(
            "SELECT * FROM deployment_steps WHERE deployment_id IN (\(placeholders)) ORDER BY deployment_id, position",
            deploymentIds.map(SQLValue.text))
        var steps: [String: [Step]] = [:]
        for row in rows {
            steps[try row.string("deployment_id"), default: []].append(try Step(row))
        }
        return steps
    }
}
