import SlipwayCore

extension Schemas {
    /// The shapes of snapshot retention, backup destinations, schedules, backups and alerts.
    static let backupComponents: [String: Schema] = [
        "SnapshotRetention": .object(
            properties: [
                "keepLast": SnapshotRetentionRoutes.Policy.rule, "keepDays": SnapshotRetentionRoutes.Policy.rule,
            ],
            required: ["keepLast", "keepDays"]),
        "BackupDestination": .object(
            properties: [
                "id": id, "organizationId": id, "name": .string, "kind": .enumeration(BackupDestination.Kind.self),
                "path": .string, "host": .string, "port": port, "username": .string,
                "hostKeyFingerprint": .string, "hasPrivateKey": .boolean, "createdAt": .dateTime,
            ],
            required: ["id", "organizationId", "name", "kind", "path", "hasPrivateKey", "createdAt"]),
        "BackupRetention": .object(
            properties: [
                "keepDaily": .integer(minimum: 0), "keepWeekly": .integer(minimum: 0),
                "keepMonthly": .integer(minimum: 0),
            ], required: ["keepDaily", "keepWeekly", "keepMonthly"]),
        "BackupSchedule": .object(
            properties: [
                "id": id, "organizationId": id, "environmentId": id, "instanceId": id, "cron": .string,
                "destinationId": id, "retention": .reference("BackupRetention"), "verifyAfterBackup": .boolean,
                "enabled": .boolean, "status": .enumeration(BackupSchedule.Status.self), "statusReason": .string,
                "lastDueAt": .dateTime, "lastRunAt": .dateTime, "lastBackupId": id, "nextRunAt": .dateTime,
                "createdAt": .dateTime, "updatedAt": .dateTime,
            ],
            required: [
                "id", "organizationId", "environmentId", "cron", "destinationId", "retention", "verifyAfterBackup",
                "enabled", "status", "createdAt", "updatedAt",
            ]),
        "Backup": .object(
            properties: [
                "id": id, "organizationId": id, "environmentId": id, "instanceId": id, "scheduleId": id,
                "snapshotId": id, "destinationId": id, "status": .enumeration(Backup.Status.self),
                "statusReason": .string, "sizeBytes": .integer(minimum: 0), "databaseBytes": .integer(minimum: 0),
                "databaseSha256": .string, "filestoreBytes": .integer(minimum: 0), "filestoreSha256": .string,
                "location": .string, "verifiedAt": .dateTime, "drillStatus": .enumeration(Backup.DrillStatus.self),
                "drillReport": .string, "drillAt": .dateTime, "createdAt": .dateTime, "completedAt": .dateTime,
            ],
            required: [
                "id", "organizationId", "environmentId", "instanceId", "destinationId", "status", "sizeBytes",
                "createdAt",
            ]),
        "Alert": .object(
            properties: [
                "id": id, "organizationId": id, "environmentId": id, "kind": .enumeration(Alert.Kind.self),
                "subjectId": id, "message": .string, "createdAt": .dateTime, "resolvedAt": .dateTime,
            ], required: ["id", "organizationId", "environmentId", "kind", "subjectId", "message", "createdAt"]),
    ]
}
