import Foundation
import SlipwayCore

extension SQLStore {
    public func raiseAlert(_ alert: Alert) async throws -> Alert {
        do {
            // The database's own write: the store's would turn the unique violation below into a 409.
            return try await database.write { connection in
                if let open = try await Self.openAlert(like: alert, connection) { return open }
                try await connection.execute(
                    """
                    INSERT INTO alerts (id, organization_id, environment_id, kind, subject_id, message, created_at,
                        resolved_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, NULL)
                    """,
                    .text(alert.id), .text(alert.organizationId), .text(alert.environmentId),
                    .text(alert.kind.rawValue), .text(alert.subjectId), .text(alert.message), .init(alert.createdAt))
                var opened = alert
                opened.resolvedAt = nil
                return opened
            }
        } catch SQLError.uniqueViolation {
            // Another control plane opened the same alert between our look and our insert (the partial unique
            // index `alerts_open` allows one open alert per subject and kind): answer theirs.
            guard let open = try await read({ try await Self.openAlert(like: alert, $0) }) else {
                throw SQLError.database("an open '\(alert.kind.rawValue)' alert was raised and resolved at once")
            }
            return open
        }
    }

    public func alerts(organizationId: String, environmentId: String, includeResolved: Bool) async throws -> [Alert] {
        try await read {
            try await $0.query(
                """
                SELECT * FROM alerts WHERE organization_id = ? AND environment_id = ?
                \(includeResolved ? "" : "AND resolved_at IS NULL") ORDER BY created_at DESC, id DESC
                """, .text(organizationId), .text(environmentId)
            ).map(Alert.init)
        }
    }

    /// Resolves it at `date` unless it is already resolved; answers it either way.
    public func resolveAlert(organizationId: String, id: String, at date: Date) async throws -> Alert? {
        try await write { connection in
            try await connection.execute(
                "UPDATE alerts SET resolved_at = ? WHERE organization_id = ? AND id = ? AND resolved_at IS NULL",
                .init(date), .text(organizationId), .text(id))
            return try await connection.first(
                "SELECT * FROM alerts WHERE organization_id = ? AND id = ?", [.text(organizationId), .text(id)]
            ).map(Alert.init)
        }
    }

    public func resolveAlerts(subjectId: String, kinds: [Alert.Kind], at date: Date) async throws -> Int {
        guard !kinds.isEmpty else { return 0 }
        let placeholders = Array(repeating: "?", count: kinds.count).joined(separator: ", ")
        return try await write {
            try await $0.execute(
                "UPDATE alerts SET resolved_at = ? WHERE subject_id = ? AND resolved_at IS NULL AND kind IN (\(placeholders))",
                [.init(date), .text(subjectId)] + kinds.map { .text($0.rawValue) })
        }
    }

    private static func openAlert(like alert: Alert, _ connection: any SQLConnection) async throws -> Alert? {
        try await connection.first(
            """
            SELECT * FROM alerts WHERE organization_id = ? AND subject_id = ? AND kind = ? AND resolved_at IS NULL
            """, [.text(alert.organizationId), .text(alert.subjectId), .text(alert.kind.rawValue)]
        ).map(Alert.init)
    }
}
