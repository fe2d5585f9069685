import Foundation
import SlipwayCore

extension SQLStore {
    public func createDeployment(_ deployment: Deployment) async throws {
        try await write { try await Self.insertDeployment(deployment, $0) }
    }

    public func enqueueDeployment(_ deployment: Deployment, job: Job) async throws {
        try await write { connection in
            try await Self.insertDeployment(deployment, connection)
            try await Self.insertJob(job, connection)
        }
    }

    public func updateDeployment(_ deployment: Deployment) async throws -> Deployment? {
        try await write { connection in
            let changed = try await connection.execute(
                """
                UPDATE deployments SET instance_id = ?, commit_sha = ?, commit_message = ?, commit_author = ?, status = ?,
                    snapshot_id = ?, active_color = ?, image_digest = ?, duration_ms = ?, error = ?, targets = ?,
                    started_at = ?, completed_at = ?
                WHERE organization_id = ? AND id = ?
                """,
                .init(deployment.instanceId), .init(deployment.commitSha), .init(deployment.commitMessage),
                .init(deployment.commitAuthor), .text(deployment.status.rawValue), .init(deployment.snapshotId),
                .init(deployment.activeColor?.rawValue), .init(deployment.imageDigest), .init(deployment.durationMs),
                .init(deployment.error), .text(try Self.targetsText(deployment.targets)), .init(deployment.startedAt),
                .init(deployment.completedAt), .text(deployment.organizationId), .text(deployment.id))
            guard changed > 0 else { return nil }
            for (position, step) in deployment.steps.enumerated() {
                try await Self.writeStep(step, position: position, of: deployment.id, connection)
            }
            guard
                let row = try await connection.first(
                    "SELECT * FROM deployments WHERE id = ?", [.text(deployment.id)])
            else { return nil }
            return try Deployment(
                row, steps: try await Self.steps(of: [deployment.id], connection)[deployment.id] ?? [])
        }
    }

    public func updateDeploymentStep(deploymentId: String, position: Int, _ step: Step) async throws {
        try await write { try await Self.writeStep(step, position: position, of: deploymentId, $0) }
    }

    public func requestDeploymentCancel(organizationId: String, id: String, at date: Date) async throws -> Deployment? {
        try await write { connection in
            let scope: [SQLValue] = [.text(organizationId), .text(id)]
            guard
                try await connection.execute(
                    "UPDATE deployments SET cancel_requested = 1 WHERE organization_id = ? AND id = ?", scope) > 0
            else { return nil }
            // A queued one has nothing to stop: it ends here, and its job with it, unless a worker took it meanwhile.
            let cancelled = try await connection.execute(
                """
                UPDATE jobs SET status = 'cancelled', completed_at = ?
                WHERE organization_id = ? AND subject_id = ? AND kind = 'deployment' AND status = 'queued'
                """, .init(date), .text(organizationId), .text(id))
            if cancelled > 0 {
                try await connection.execute(
                    """
                    UPDATE deployments SET status = 'cancelled', completed_at = ?, error = 'cancelled before it started'
                    WHERE organization_id = ? AND id = ? AND status = 'queued'
                    """, .init(date), .text(organizationId), .text(id))
                try await connection.execute(
                    "UPDATE deployment_steps SET status = 'skipped' WHERE deployment_id = ? AND status = 'pending'",
                    .text(id))
            }
            guard let row = try await connection.first("SELECT * FROM deployments WHERE id = ?", [.text(id)]) else {
                return nil
            }
            return try Deployment(row, steps: try await Self.steps(of: [id], connection)[id] ?? [])
        }
    }

    public func lastCompletedDeployment(organizationId: String, instanceId: String, before: Date?) async throws
        -> Deployment?
    {
        try await read { connection in
            // The targets are JSON: the instance is looked for among the environment's completed deployments.
            let rows = try await connection.query(
                """
                SELECT d.* FROM deployments d JOIN instances i ON i.environment_id = d.environment_id
                WHERE d.organization_id = ? AND i.id = ? AND d.status = 'completed' AND d.completed_at < ?
                ORDER BY d.completed_at DESC, d.id DESC LIMIT 50
                """, .text(organizationId), .text(instanceId), .init(before ?? Date.distantFuture))
            for row in rows {
                let deployment = try Deployment(row, steps: [])
                if deployment.targets.contains(where: { $0.instanceId == instanceId }) {
                    return try Deployment(
                        row, steps: try await Self.steps(of: [deployment.id], connection)[deployment.id] ?? [])
                }
            }
            return nil
        }
    }

    public func unfinishedDeployments() async throws -> [Deployment] {
        try await read { connection in
            try await connection.query("SELECT * FROM deployments WHERE status IN ('queued', 'running')").map {
                try Deployment($0, steps: [])
            }
        }
    }

    static func insertDeployment(_ deployment: Deployment, _ connection: any SQLConnection) async throws {
        try await connection.execute(
            """
            INSERT INTO deployments (id, organization_id, project_id, environment_id, instance_id, trigger_type, branch,
                commit_sha, tag, commit_message, commit_author, status, snapshot_id, active_color, image_digest,
                duration_ms, error, targets, rollback_of, cancel_requested, created_at, started_at, completed_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            .text(deployment.id), .text(deployment.organizationId), .text(deployment.projectId),
            .text(deployment.environmentId), .init(deployment.instanceId), .text(deployment.triggerType.rawValue),
            .init(deployment.branch), .init(deployment.commitSha), .init(deployment.tag),
            .init(deployment.commitMessage),
            .init(deployment.commitAuthor), .text(deployment.status.rawValue), .init(deployment.snapshotId),
            .init(deployment.activeColor?.rawValue), .init(deployment.imageDigest), .init(deployment.durationMs),
            .init(deployment.error), .text(try targetsText(deployment.targets)), .init(deployment.rollbackOf),
            .init(deployment.cancelRequested ? 1 : 0), .init(deployment.createdAt), .init(deployment.startedAt),
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

    private static func writeStep(_ step: Step, position: Int, of deploymentId: String, _ connection: any SQLConnection)
        async throws
    {
        try await connection.execute(
            """
            UPDATE deployment_steps SET status = ?, output = ?, duration_ms = ?, started_at = ?, completed_at = ?
            WHERE deployment_id = ? AND position = ?
            """,
            .text(step.status.rawValue), .text(step.output), .init(step.durationMs), .init(step.startedAt),
            .init(step.completedAt), .text(deploymentId), .init(position))
    }

    private static func targetsText(_ targets: [Deployment.Target]) throws -> String {
        String(decoding: try JSONEncoder().encode(targets), as: UTF8.self)
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
