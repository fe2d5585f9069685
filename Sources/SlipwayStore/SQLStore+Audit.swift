import Foundation
import SlipwayCore

extension SQLStore {
    public func appendAudit(_ entry: AuditEntry) async throws {
        try await write {
            try await $0.execute(
                """
                INSERT INTO audit_logs (id, organization_id, actor_id, actor_name, action, resource, resource_id, result, ip,
                    user_agent, request_id, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                .text(entry.id), .text(entry.organizationId), .init(entry.actorId), .text(entry.actorName),
                .text(entry.action),
                .text(entry.resource), .init(entry.resourceId), .init(entry.result), .init(entry.ip),
                .init(entry.userAgent),
                .text(entry.requestId), .init(entry.createdAt))
        }
    }

    public func auditEntries(organizationId: String, filter: AuditFilter, page: PageRequest) async throws -> Page<
        AuditEntry
    > {
        var conditions = ["organization_id = ?"]
        var binds: [SQLValue] = [.text(organizationId)]
        if let actorId = filter.actorId {
            conditions.append("actor_id = ?")
            binds.append(.text(actorId))
        }
        if let action = filter.action {
            conditions.append("action = ?")
            binds.append(.text(action))
        }
        if let resource = filter.resource {
            conditions.append("resource = ?")
            binds.append(.text(resource))
        }
        if let since = filter.since {
            conditions.append("created_at >= ?")
            binds.append(.init(since))
        }
        if let until = filter.until {
            conditions.append("created_at < ?")
            binds.append(.init(until))
        }
        let whereClause = conditions.joined(separator: " AND ")
        let scope = binds
        return try await read { connection in
            let total =
                try await connection.first("SELECT COUNT(*) AS n FROM audit_logs WHERE \(whereClause)", scope)?.int("n")
                ?? 0
            let rows = try await connection.query(
                "SELECT * FROM audit_logs WHERE \(whereClause) ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
                scope + [.init(page.limit), .init(page.offset)])
            return Page(items: try rows.map(AuditEntry.init), total: total, limit: page.limit, offset: page.offset)
        }
    }
}
