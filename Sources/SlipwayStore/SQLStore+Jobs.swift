import Foundation
import SlipwayCore

extension SQLStore {
    public func enqueueJob(_ job: Job) async throws {
        try await write { try await Self.insertJob(job, $0) }
    }

    public func claimJob(kinds: [Job.Kind], owner: String, lease: TimeInterval, now: Date) async throws -> Job? {
        guard !kinds.isEmpty else { return nil }
        let dialect = database.dialect
        return try await write { connection in
            // SQLite's BEGIN IMMEDIATE already makes claims one at a time; on PostgreSQL this lock does, so
            // the concurrency-key check below sees every running job, whichever control plane claimed it.
            if dialect == .postgres {
                try await connection.execute("SELECT pg_advisory_xact_lock(4242002)")
            }
            let kindList = Array(repeating: "?", count: kinds.count).joined(separator: ", ")
            let candidates = try await connection.query(
                """
                SELECT j.id FROM jobs j
                WHERE j.kind IN (\(kindList))
                  AND (j.status = 'queued' OR (j.status = 'running' AND j.lease_expires_at < ?))
                  AND (j.concurrency_key IS NULL OR NOT EXISTS (
                        SELECT 1 FROM jobs o WHERE o.concurrency_key = j.concurrency_key AND o.id <> j.id
                          AND ((o.status = 'running' AND o.lease_expires_at >= ?)
                               OR (o.status = 'queued' AND (o.created_at < j.created_at
                                   OR (o.created_at = j.created_at AND o.id < j.id))))))
                ORDER BY j.created_at, j.id LIMIT 1
                """, kinds.map { .text($0.rawValue) } + [.init(now), .init(now)])
            guard let id = try candidates.first?.string("id") else { return nil }
            try await connection.execute(
                """
                UPDATE jobs SET status = 'running', lease_owner = ?, lease_expires_at = ?, attempts = attempts + 1,
                    started_at = COALESCE(started_at, ?)
                WHERE id = ?
                """, .text(owner), .init(now.addingTimeInterval(lease)), .init(now), .text(id))
            return try await connection.first("SELECT * FROM jobs WHERE id = ?", [.text(id)]).map(Job.init)
        }
    }

    public func renewJobLease(id: String, owner: String, until: Date) async throws -> Bool {
        try await write {
            try await $0.execute(
                "UPDATE jobs SET lease_expires_at = ? WHERE id = ? AND lease_owner = ? AND status = 'running'",
                .init(until), .text(id), .text(owner)) > 0
        }
    }

    public func finishJob(id: String, owner: String, status: Job.Status, error: String?, at date: Date) async throws
        -> Bool
    {
        try await write {
            try await $0.execute(
                """
                UPDATE jobs SET status = ?, error = ?, completed_at = ?, lease_expires_at = NULL
                WHERE id = ? AND lease_owner = ? AND status = 'running'
                """, .text(status.rawValue), .init(error), .init(date), .text(id), .text(owner)) > 0
        }
    }

    public func jobs(organizationId: String, subjectId: String) async throws -> [Job] {
        try await read {
            try await $0.query(
                "SELECT * FROM jobs WHERE organization_id = ? AND subject_id = ? ORDER BY created_at DESC, id DESC",
                .text(organizationId), .text(subjectId)
            ).map(Job.init)
        }
    }

    public func jobStatusCounts() async throws -> [Job.Status: Int] {
        try await read { connection in
            var counts: [Job.Status: Int] = [:]
            for row in try await connection.query("SELECT status, COUNT(*) AS n FROM jobs GROUP BY status") {
                counts[try row.enum("status"), default: 0] += try row.int("n")
            }
            return counts
        }
    }

    static func insertJob(_ job: Job, _ connection: any SQLConnection) async throws {
        try await connection.execute(
            """
            INSERT INTO jobs (id, organization_id, kind, subject_id, concurrency_key, status, attempts, lease_owner,
                lease_expires_at, error, created_at, started_at, completed_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            .text(job.id), .text(job.organizationId), .text(job.kind.rawValue), .text(job.subjectId),
            .init(job.concurrencyKey), .text(job.status.rawValue), .init(job.attempts), .init(job.leaseOwner),
            .init(job.leaseExpiresAt), .init(job.error), .init(job.createdAt), .init(job.startedAt),
            .init(job.completedAt))
    }
}

extension Job {
    init(_ row: SQLRow) throws {
        self.init(
            id: try row.string("id"), organizationId: try row.string("organization_id"), kind: try row.enum("kind"),
            subjectId: try row.string("subject_id"), concurrencyKey: try row.optionalString("concurrency_key"),
            status: try row.enum("status"), attempts: try row.int("attempts"),
            leaseOwner: try row.optionalString("lease_owner"),
            leaseExpiresAt: try row.optionalDate("lease_expires_at"), error: try row.optionalString("error"),
            createdAt: try row.date("created_at"), startedAt: try row.optionalDate("started_at"),
            completedAt: try row.optionalDate("completed_at"))
    }
}
