import Foundation
import SlipwayCore

extension BackupDestination: Presentable {
    static let plural = "backup destinations"
    static let columns = ["ID", "NAME", "KIND", "WHERE"]
    var row: [String] { [id, name, kind.rawValue, location] }
    var details: DetailList {
        let sftp: [(String, String?)] =
            kind == .sftp
            ? [
                ("host", host), ("port", port.map(String.init)), ("username", username),
                ("hostKeyFingerprint", hostKeyFingerprint ?? "not pinned yet (pinned at the first connection)"),
                ("privateKey", hasPrivateKey ? "set (never shown)" : "none"),
            ] : []
        return DetailList(
            [("id", id), ("name", name), ("kind", kind.rawValue), ("path", path)] + sftp + [
                ("createdAt", Self.date(createdAt))
            ])
    }

    /// `/var/backups/slipway` or `sftp://backup@vault.example.com:22/srv/backups`.
    var location: String {
        guard kind == .sftp else { return path }
        return "sftp://\(username ?? "?")@\(host ?? "?"):\(port ?? 22)\(path)"
    }
}

extension BackupSchedule: Presentable {
    static let plural = "backup schedules"
    static let columns = ["ID", "CRON", "INSTANCE", "DESTINATION", "KEEP", "STATUS", "NEXT RUN"]
    var row: [String] {
        [
            id, cron, instanceId ?? "all", destinationId, keep, enabled ? status.rawValue : "disabled",
            Self.date(nextRunAt) ?? "-",
        ]
    }
    var details: DetailList {
        DetailList([
            ("id", id), ("cron", cron + " (UTC)"), ("instance", instanceId ?? "every instance of the environment"),
            ("destinationId", destinationId),
            (
                "keep",
                "the newest backup of each of the last \(retention.keepDaily) days, \(retention.keepWeekly) weeks "
                    + "and \(retention.keepMonthly) months"
            ),
            ("verifyAfterBackup", verifyAfterBackup ? "yes: a restore drill after each backup" : "no"),
            ("enabled", enabled ? "yes" : "no"), ("status", status.rawValue), ("statusReason", statusReason),
            ("lastRunAt", Self.date(lastRunAt)), ("lastBackupId", lastBackupId),
            ("nextRunAt", enabled ? Self.date(nextRunAt) : "never (disabled)"), ("environmentId", environmentId),
            ("createdAt", Self.date(createdAt)), ("updatedAt", Self.date(updatedAt)),
        ])
    }

    /// `7d/4w/3m`
    var keep: String { "\(retention.keepDaily)d/\(retention.keepWeekly)w/\(retention.keepMonthly)m" }
}

extension Backup: Presentable {
    static let plural = "backups"
    static let columns = ["ID", "INSTANCE", "STATUS", "SIZE", "VERIFIED", "DRILL", "CREATED"]
    var row: [String] {
        [
            id, instanceId, status.rawValue, status == .completed ? Self.bytes(sizeBytes) : "-",
            verifiedAt == nil ? "✗" : "✓", drillStatus?.rawValue ?? "-", Self.date(createdAt) ?? "-",
        ]
    }
    var details: DetailList {
        DetailList([
            ("id", id), ("instanceId", instanceId), ("status", status.rawValue), ("statusReason", statusReason),
            ("size", status == .completed ? Self.bytes(sizeBytes) : nil),
            ("database", databaseBytes.map { Self.bytes($0) + " (sha256 \(databaseSha256 ?? "-"))" }),
            ("filestore", filestoreBytes.map { Self.bytes($0) + " (sha256 \(filestoreSha256 ?? "-"))" }),
            ("location", location),
            ("verified", verifiedAt.map { "✓ read back and checked at \(Self.date($0) ?? "-")" } ?? "✗ not yet"),
            ("drill", drillStatus?.rawValue ?? "none yet"), ("drillReport", drillReport),
            ("drillAt", Self.date(drillAt)), ("scheduleId", scheduleId ?? "none (run by hand)"),
            ("snapshotId", snapshotId), ("destinationId", destinationId), ("environmentId", environmentId),
            ("createdAt", Self.date(createdAt)), ("completedAt", Self.date(completedAt)),
        ])
    }
}

extension Alert: Presentable {
    static let plural = "alerts"
    static let columns = ["ID", "KIND", "SUBJECT", "CREATED", "RESOLVED", "MESSAGE"]
    var row: [String] {
        [
            id, kind.rawValue, subjectId, Self.date(createdAt) ?? "-", Self.date(resolvedAt) ?? "open", message,
        ]
    }
    var details: DetailList {
        DetailList([
            ("id", id), ("kind", kind.rawValue), ("subjectId", subjectId), ("message", message),
            ("createdAt", Self.date(createdAt)), ("resolvedAt", Self.date(resolvedAt) ?? "open"),
            ("environmentId", environmentId),
        ])
    }
}
