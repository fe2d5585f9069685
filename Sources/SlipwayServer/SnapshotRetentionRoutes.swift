import Foundation
import SlipwayCore

/// An environment's snapshot retention: how many of each instance's snapshots the hourly cleanup keeps
/// (the last `keepLast` completed ones and/or those younger than `keepDays` days). Pinned snapshots and
/// backups are never its business.
enum SnapshotRetentionRoutes {
    /// The policy as the API reads and answers it: a rule that is not set is `null`.
    struct Policy: Codable, Sendable {
        var keepLast: Int?
        var keepDays: Int?

        static let limit = 1...10000
        static let rule = Schema.nullable(.integer(minimum: limit.lowerBound, maximum: limit.upperBound))
        static let schema = Schema.object(properties: ["keepLast": rule, "keepDays": rule])

        init(keepLast: Int? = nil, keepDays: Int? = nil) {
            self.keepLast = keepLast
            self.keepDays = keepDays
        }

        init(_ retention: SnapshotRetention) {
            self.init(keepLast: retention.keepLast, keepDays: retention.keepDays)
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(keepLast, forKey: .keepLast)
            try container.encode(keepDays, forKey: .keepDays)
        }

        /// The policy to store; a rule out of range is the field at fault.
        func checked() throws -> SnapshotRetention {
            for (field, value) in [("keepLast", keepLast), ("keepDays", keepDays)] {
                if let value, !Self.limit.contains(value) {
                    throw SlipwayError.invalid(
                        field,
                        "must be from \(Self.limit.lowerBound) to \(Self.limit.upperBound), or null to clear it "
                            + "(got \(value))")
                }
            }
            return SnapshotRetention(keepLast: keepLast, keepDays: keepDays)
        }
    }

    static let all: [APIRoute] = [
        APIRoute(
            .get, "/api/environments/{environmentId}/snapshots/retention", access: .permission(.view(.snapshots)),
            summary: "The environment's snapshot retention: keepLast and keepDays, null when not set",
            resource: "snapshots", response: .reference("SnapshotRetention")
        ) { call in
            let environment = try await EnvironmentRoutes.environment(call)
            return .json(
                Policy(
                    try await call.store.snapshotRetention(
                        organizationId: environment.organizationId, environmentId: environment.id)))
        },
        APIRoute(
            .put, "/api/environments/{environmentId}/snapshots/retention", access: .permission(.manage(.snapshots)),
            summary:
                "Set the environment's snapshot retention: keep each instance's last keepLast completed snapshots "
                + "and/or those younger than keepDays days (each 1 to 10000); a rule null or absent is cleared. "
                + "Pinned snapshots and backups always stay",
            resource: "snapshots", body: Policy.schema, response: .reference("SnapshotRetention")
        ) { call in
            let environment = try await EnvironmentRoutes.environment(call)
            let retention = try call.decode(Policy.self, ifAbsent: Policy()).checked()
            guard
                let stored = try await call.store.setSnapshotRetention(
                    organizationId: environment.organizationId, environmentId: environment.id, retention)
            else { throw SlipwayError.notFound("environment") }
            return .json(Policy(stored))
        }.optionalBody(),
    ]
}
