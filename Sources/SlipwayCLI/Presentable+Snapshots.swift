import Foundation
import SlipwayCore

extension Snapshot: Presentable {
    static let plural = "snapshots"
    static let columns = ["ID", "INSTANCE", "KIND", "STATUS", "SIZE", "PINNED", "CREATED"]
    var row: [String] {
        [
            id, instanceId, kind.rawValue, status.rawValue, status == .completed ? Self.bytes(sizeBytes) : "-",
            pinned ? "yes" : "no", Self.date(createdAt) ?? "-",
        ]
    }
    var details: DetailList {
        DetailList([
            ("id", id), ("instanceId", instanceId), ("kind", kind.rawValue), ("status", status.rawValue),
            ("statusReason", statusReason), ("size", status == .completed ? sizes : nil),
            ("database", databaseBytes.map { Self.bytes($0) + " (sha256 \(databaseSha256 ?? "-"))" }),
            ("filestore", filestoreBytes.map { Self.bytes($0) + " (sha256 \(filestoreSha256 ?? "-"))" }),
            ("pinned", pinned ? "yes" : "no"), ("location", location), ("environmentId", environmentId),
            ("createdAt", Self.date(createdAt)), ("completedAt", Self.date(completedAt)),
        ])
    }

    /// `12.3 MiB (database 10.0 MiB, filestore 2.3 MiB)`
    var sizes: String {
        var parts = databaseBytes.map { ["database " + Self.bytes($0)] } ?? []
        if let filestoreBytes { parts.append("filestore " + Self.bytes(filestoreBytes)) }
        return Self.bytes(sizeBytes) + (parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))")
    }
}

extension Restore: Presentable {
    static let plural = "restores"
    static let columns = ["ID", "SNAPSHOT", "INSTANCE", "STATUS", "SAFETY SNAPSHOT", "CREATED"]
    var row: [String] {
        [
            id, snapshotId, instanceId, status.rawValue,
            safetySnapshotId ?? (safetySnapshot ? "-" : "none"), Self.date(createdAt) ?? "-",
        ]
    }
    var details: DetailList {
        let progress = steps.map { step in
            "\(step.name): \(step.status.rawValue)" + (step.output.isEmpty ? "" : " (\(step.output))")
        }
        return DetailList([
            ("id", id), ("snapshotId", snapshotId), ("instanceId", instanceId), ("status", status.rawValue),
            ("statusReason", statusReason),
            ("safetySnapshot", safetySnapshotId ?? (safetySnapshot ? "taken first" : "none")),
            ("steps", progress.isEmpty ? "none yet" : progress.joined(separator: "; ")),
            ("environmentId", environmentId), ("createdAt", Self.date(createdAt)),
            ("completedAt", Self.date(completedAt)),
        ])
    }
}
