import Foundation
import SlipwayCore
import SlipwayStore
import SlipwayTesting
import Testing

/// Backup destinations, schedules, backups, alerts and snapshot retention, on SQLite and on PostgreSQL.
@Suite("Backup store", .tags(.postgres))
struct BackupStoreTests {
    static let base = Date(timeIntervalSince1970: 1_800_000_000)

    @Test(
        "a destination keeps its fields and sealed key, its name is unique, its host key pins once",
        arguments: StoreKind.allCases)
    func destinations(kind: StoreKind) async throws {
        try await TestStore.with(kind) { store in
            let fixture = try await Fixture.make(store)
            let organizationId = fixture.organization.id
            let sftp = BackupDestination(
                organizationId: organizationId, name: "offsite", kind: .sftp, path: "/srv/backups",
                host: "backup.example.test", port: 2222, username: "slipway", createdAt: Self.base)
            try await store.createBackupDestination(
                sftp, encryptedPrivateKey: "v1:key", encryptedPassphrase: "v1:phrase")
            let local = BackupDestination(
                organizationId: organizationId, name: "disk", kind: .local, path: "/var/backups", createdAt: Self.base)
            try await store.createBackupDestination(local, encryptedPrivateKey: nil, encryptedPassphrase: nil)

            var expected = sftp
            expected.hasPrivateKey = true
            #expect(try await store.backupDestination(organizationId: organizationId, id: sftp.id) == expected)
            #expect(
                try await store.backupDestinations(organizationId: organizationId).map(\.name) == ["disk", "offsite"])
            #expect(
                try await store.backupDestination(organizationId: organizationId, id: local.id)?.hasPrivateKey == false)
            let sealed = try await store.encryptedBackupDestinationKey(organizationId: organizationId, id: sftp.id)
            #expect(sealed.privateKey == "v1:key" && sealed.passphrase == "v1:phrase")

            let clash = BackupDestination(organizationId: organizationId, name: "offsite", kind: .local, path: "/x")
            await #expect(throws: SlipwayError.conflict("name", "a backup destination named 'offsite' already exists"))
            {
                try await store.createBackupDestination(clash, encryptedPrivateKey: nil, encryptedPassphrase: nil)
            }

            #expect(
                try await store.pinBackupDestinationHostKey(
                    organizationId: organizationId, id: sftp.id, fingerprint: "SHA256:first"))
            #expect(
                try await !store.pinBackupDestinationHostKey(
                    organizationId: organizationId, id: sftp.id, fingerprint: "SHA256:second"))
            #expect(
                try await store.backupDestination(organizationId: organizationId, id: sftp.id)?.hostKeyFingerprint
                    == "SHA256:first")
        }
    }

    @Test("another organization finds none of the backup records", arguments: StoreKind.allCases)
    func organizationScoping(kind: StoreKind) async throws {
        try await TestStore.with(kind) { store in
            let fixture = try await Fixture.make(store)
            let records = try await Records.make(store, fixture)
            let other = try await Fixture.make(store).organization.id
            #expect(try await store.backupDestination(organizationId: other, id: records.destination.id) == nil)
            #expect(try await store.backupDestinations(organizationId: other).isEmpty)
            let sealed = try await store.encryptedBackupDestinationKey(
                organizationId: other, id: records.destination.id)
            #expect(sealed.privateKey == nil && sealed.passphrase == nil)
            #expect(
                try await !store.pinBackupDestinationHostKey(
                    organizationId: other, id: records.destination.id, fingerprint: "SHA256:x"))
            #expect(try await store.backupSchedule(organizationId: other, id: records.schedule.id) == nil)
            #expect(
                try await store.backupSchedules(organizationId: other, environmentId: fixture.environment.id).isEmpty)
            var foreign = records.schedule
            foreign.organizationId = other
            #expect(try await store.updateBackupSchedule(foreign) == nil)
            #expect(try await store.backup(organizationId: other, id: records.backup.id) == nil)
            #expect(try await store.backups(organizationId: other, environmentId: fixture.environment.id).isEmpty)
            var foreignBackup = records.backup
            foreignBackup.organizationId = other
            #expect(try await store.updateBackup(foreignBackup) == nil)
            #expect(try await store.resolveAlert(organizationId: other, id: records.alert.id, at: Self.base) == nil)
            #expect(
                try await store.alerts(
                    organizationId: other, environmentId: fixture.environment.id, includeResolved: true
                )
                .isEmpty)
            #expect(try await !store.deleteBackup(organizationId: other, id: records.backup.id))
            #expect(try await !store.deleteBackupSchedule(organizationId: other, id: records.schedule.id))
            #expect(try await !store.deleteBackupDestination(organizationId: other, id: records.destination.id))
            #expect(
                try await store.setSnapshotRetention(
                    organizationId: other, environmentId: fixture.environment.id, SnapshotRetention(keepLast: 1)) == nil
            )
            #expect(
                try await store.snapshotRetention(
                    organizationId: fixture.organization.id, environmentId: fixture.environment.id)
                    == SnapshotRetention())

            // Nor can a schedule of another organization name this one's destination.
            let otherEnvironment = try await Fixture.make(store)
            await #expect(
                throws: SlipwayError.invalid(
                    "destinationId", "no backup destination '\(records.destination.id)' in this organization")
            ) {
                try await store.createBackupSchedule(
                    BackupSchedule(
                        organizationId: otherEnvironment.organization.id,
                        environmentId: otherEnvironment.environment.id, cron: "daily",
                        destinationId: records.destination.id))
            }
            #expect(try await store.backup(organizationId: fixture.organization.id, id: records.backup.id) != nil)
        }
    }

    @Test("schedules and backups round trip, backups newest first", arguments: StoreKind.allCases)
    func roundTrips(kind: StoreKind) async throws {
        try await TestStore.with(kind) { store in
            let fixture = try await Fixture.make(store)
            let records = try await Records.make(store, fixture)
            let organizationId = fixture.organization.id
            #expect(
                try await store.backupSchedule(organizationId: organizationId, id: records.schedule.id)
                    == records.schedule)
            #expect(try await store.enabledBackupSchedules().map(\.id) == [records.schedule.id])

            var schedule = records.schedule
            schedule.cron = "0 3 * * 1-5"
            schedule.retention = BackupRetention(keepDaily: 2, keepWeekly: 0, keepMonthly: 12)
            schedule.status = .failing
            schedule.statusReason = "copy failed: disk full"
            schedule.lastRunAt = Self.base.addingTimeInterval(3600)
            schedule.lastBackupId = records.backup.id
            schedule.nextRunAt = Self.base.addingTimeInterval(86_400)
            schedule.enabled = false
            schedule.updatedAt = Self.base.addingTimeInterval(60)
            #expect(try await store.updateBackupSchedule(schedule) == schedule)
            #expect(try await store.enabledBackupSchedules().isEmpty)

            #expect(try await store.backup(organizationId: organizationId, id: records.backup.id) == records.backup)
            var backup = records.backup
            backup.status = .completed
            backup.sizeBytes = 4096
            backup.databaseBytes = 1024
            backup.databaseSha256 = String(repeating: "a", count: 64)
            backup.filestoreBytes = 3072
            backup.filestoreSha256 = String(repeating: "b", count: 64)
            backup.location = "/srv/backups/\(backup.id)"
            backup.verifiedAt = Self.base.addingTimeInterval(120)
            backup.drillStatus = .passed
            backup.drillReport = "12 tables; check query answered 3"
            backup.drillAt = Self.base.addingTimeInterval(180)
            backup.completedAt = Self.base.addingTimeInterval(90)
            #expect(try await store.updateBackup(backup) == backup)

            let newer = Backup(
                organizationId: organizationId, environmentId: fixture.environment.id, instanceId: fixture.instance.id,
                destinationId: records.destination.id, createdAt: Self.base.addingTimeInterval(86_400))
            try await store.createBackup(newer)
            #expect(
                try await store.backups(organizationId: organizationId, environmentId: fixture.environment.id).map(\.id)
                    == [newer.id, backup.id])
            #expect(try await store.deleteBackup(organizationId: organizationId, id: newer.id))
            #expect(try await store.backup(organizationId: organizationId, id: newer.id) == nil)
        }
    }

    @Test(
        "a destination a schedule or a backup uses is refused, then deleted once unused",
        arguments: StoreKind.allCases)
    func destinationInUse(kind: StoreKind) async throws {
        try await TestStore.with(kind) { store in
            let fixture = try await Fixture.make(store)
            let records = try await Records.make(store, fixture)
            let organizationId = fixture.organization.id
            let inUse = SlipwayError(
                .conflict, code: "destination_in_use",
                message: "backup schedules or backups use this destination: delete them first")
            await #expect(throws: inUse) {
                _ = try await store.deleteBackupDestination(organizationId: organizationId, id: records.destination.id)
            }
            #expect(try await store.deleteBackupSchedule(organizationId: organizationId, id: records.schedule.id))
            // The backup outlives its schedule (its schedule id goes), and still holds the destination.
            #expect(try await store.backup(organizationId: organizationId, id: records.backup.id)?.scheduleId == nil)
            await #expect(throws: inUse) {
                _ = try await store.deleteBackupDestination(organizationId: organizationId, id: records.destination.id)
            }
            #expect(try await store.deleteBackup(organizationId: organizationId, id: records.backup.id))
            #expect(try await store.deleteBackupDestination(organizationId: organizationId, id: records.destination.id))
            #expect(
                try await store.backupDestination(organizationId: organizationId, id: records.destination.id) == nil)
            #expect(
                try await !store.deleteBackupDestination(organizationId: organizationId, id: records.destination.id))
        }
    }

    @Test("of two control planes claiming the same due time, exactly one wins", arguments: StoreKind.allCases)
    func claimDue(kind: StoreKind) async throws {
        try await TestStore.with(kind) { store in
            let fixture = try await Fixture.make(store)
            let records = try await Records.make(store, fixture)
            let id = records.schedule.id
            let first = Self.base.addingTimeInterval(86_400)
            async let one = store.claimBackupScheduleDue(id: id, previous: nil, due: first)
            async let two = store.claimBackupScheduleDue(id: id, previous: nil, due: first)
            #expect(try await [one, two].filter { $0 }.count == 1)
            #expect(
                try await store.backupSchedule(organizationId: fixture.organization.id, id: id)?.lastDueAt == first)

            let second = first.addingTimeInterval(86_400)
            async let three = store.claimBackupScheduleDue(id: id, previous: first, due: second)
            async let four = store.claimBackupScheduleDue(id: id, previous: first, due: second)
            #expect(try await [three, four].filter { $0 }.count == 1)
            // A stale `previous` (nil, or the old time) claims nothing.
            #expect(try await !store.claimBackupScheduleDue(id: id, previous: nil, due: second))
            #expect(try await !store.claimBackupScheduleDue(id: id, previous: first, due: second))
            #expect(
                try await store.backupSchedule(organizationId: fixture.organization.id, id: id)?.lastDueAt == second)
        }
    }

    @Test("an alert is raised once per subject and kind until resolved", arguments: StoreKind.allCases)
    func alerts(kind: StoreKind) async throws {
        try await TestStore.with(kind) { store in
            let fixture = try await Fixture.make(store)
            let records = try await Records.make(store, fixture)
            let (organizationId, environmentId) = (fixture.organization.id, fixture.environment.id)
            let subject = records.schedule.id
            func alert(_ kind: Alert.Kind, _ seconds: Double) -> Alert {
                Alert(
                    organizationId: organizationId, environmentId: environmentId, kind: kind, subjectId: subject,
                    message: "\(kind.rawValue) at \(seconds)", createdAt: Self.base.addingTimeInterval(seconds))
            }
            // `records.alert` is already open: a backup-missed alert about the schedule, at base.
            let again = try await store.raiseAlert(alert(.backupMissed, 60))
            #expect(again == records.alert)
            async let racing1 = store.raiseAlert(alert(.backupFailed, 120))
            async let racing2 = store.raiseAlert(alert(.backupFailed, 121))
            let (first, second) = try await (racing1, racing2)
            #expect(first.id == second.id)
            let open = try await store.alerts(
                organizationId: organizationId, environmentId: environmentId, includeResolved: false)
            #expect(open.map(\.id) == [first.id, records.alert.id])
            let other = try await store.raiseAlert(
                Alert(
                    organizationId: organizationId, environmentId: environmentId, kind: .backupFailed,
                    subjectId: records.backup.id, message: "other subject", createdAt: Self.base.addingTimeInterval(1)))

            let resolvedAt = Self.base.addingTimeInterval(600)
            #expect(
                try await store.resolveAlerts(
                    subjectId: subject, kinds: [.backupMissed, .backupFailed], at: resolvedAt)
                    == 2)
            #expect(try await store.resolveAlerts(subjectId: subject, kinds: [.backupFailed], at: resolvedAt) == 0)
            #expect(
                try await store.alerts(
                    organizationId: organizationId, environmentId: environmentId, includeResolved: false
                )
                .map(\.id) == [other.id])
            let all = try await store.alerts(
                organizationId: organizationId, environmentId: environmentId, includeResolved: true)
            #expect(all.map(\.id) == [first.id, other.id, records.alert.id])
            #expect(all.first?.resolvedAt == resolvedAt)

            // Once resolved, the same kind about the same subject opens a new alert.
            let reopened = try await store.raiseAlert(alert(.backupMissed, 700))
            #expect(reopened.id != records.alert.id && reopened.resolvedAt == nil)
            let byHand = try await store.resolveAlert(organizationId: organizationId, id: other.id, at: resolvedAt)
            #expect(byHand?.resolvedAt == resolvedAt)
            let later = try await store.resolveAlert(
                organizationId: organizationId, id: other.id, at: resolvedAt.addingTimeInterval(60))
            #expect(later?.resolvedAt == resolvedAt)
        }
    }

    @Test("an environment's delete takes its schedules, backups and alerts", arguments: StoreKind.allCases)
    func environmentCascade(kind: StoreKind) async throws {
        try await TestStore.with(kind) { store in
            let fixture = try await Fixture.make(store)
            let records = try await Records.make(store, fixture)
            let organizationId = fixture.organization.id
            #expect(try await store.deleteEnvironment(organizationId: organizationId, id: fixture.environment.id))
            #expect(try await store.backupSchedule(organizationId: organizationId, id: records.schedule.id) == nil)
            #expect(try await store.backup(organizationId: organizationId, id: records.backup.id) == nil)
            #expect(
                try await store.alerts(
                    organizationId: organizationId, environmentId: fixture.environment.id, includeResolved: true
                ).isEmpty)
            // The destination is the organization's, not the environment's: it stays, and is now free to go.
            #expect(try await store.deleteBackupDestination(organizationId: organizationId, id: records.destination.id))
            // An organization's delete cascades through destinations still in use.
            let second = try await Fixture.make(store)
            let more = try await Records.make(store, second)
            #expect(try await store.deleteOrganization(id: second.organization.id))
            #expect(
                try await store.backupDestination(organizationId: second.organization.id, id: more.destination.id)
                    == nil)
        }
    }

    @Test("snapshot retention is set, cleared, and listed across organizations", arguments: StoreKind.allCases)
    func snapshotRetention(kind: StoreKind) async throws {
        try await TestStore.with(kind) { store in
            let fixture = try await Fixture.make(store)
            let second = try await Fixture.make(store)
            let (organizationId, environmentId) = (fixture.organization.id, fixture.environment.id)
            #expect(
                try await store.snapshotRetention(organizationId: organizationId, environmentId: environmentId)
                    == SnapshotRetention())
            #expect(try await store.environmentsWithSnapshotRetention().isEmpty)

            let rule = SnapshotRetention(keepLast: 5, keepDays: 14)
            #expect(
                try await store.setSnapshotRetention(organizationId: organizationId, environmentId: environmentId, rule)
                    == rule)
            let onlyDays = SnapshotRetention(keepDays: 3)
            _ = try await store.setSnapshotRetention(
                organizationId: second.organization.id, environmentId: second.environment.id, onlyDays)
            #expect(
                try await store.snapshotRetention(organizationId: organizationId, environmentId: environmentId) == rule)
            let listed = try await store.environmentsWithSnapshotRetention()
            #expect(
                Set(listed.map { "\($0.organizationId)/\($0.environmentId)" }) == [
                    "\(organizationId)/\(environmentId)", "\(second.organization.id)/\(second.environment.id)",
                ])
            #expect(listed.first { $0.environmentId == environmentId }?.retention == rule)
            #expect(listed.first { $0.environmentId == second.environment.id }?.retention == onlyDays)

            #expect(
                try await store.setSnapshotRetention(
                    organizationId: organizationId, environmentId: environmentId, SnapshotRetention())
                    == SnapshotRetention())
            #expect(try await store.environmentsWithSnapshotRetention().map(\.environmentId) == [second.environment.id])
            #expect(
                try await store.setSnapshotRetention(
                    organizationId: organizationId, environmentId: "env_missing", rule) == nil)
        }
    }
}

/// A destination, a schedule, a backup of it and an open alert about the schedule, in the fixture's environment.
private struct Records {
    var destination: BackupDestination
    var schedule: BackupSchedule
    var backup: Backup
    var alert: Alert

    static func make(_ store: any Store, _ fixture: Fixture) async throws -> Records {
        let base = BackupStoreTests.base
        let organizationId = fixture.organization.id
        let destination = BackupDestination(
            organizationId: organizationId, name: "offsite", kind: .sftp, path: "/srv/backups",
            host: "backup.example.test", port: 22, username: "slipway", hasPrivateKey: true, createdAt: base)
        try await store.createBackupDestination(destination, encryptedPrivateKey: "v1:key", encryptedPassphrase: nil)
        let schedule = BackupSchedule(
            organizationId: organizationId, environmentId: fixture.environment.id, instanceId: fixture.instance.id,
            cron: "daily at 02:00", destinationId: destination.id,
            retention: BackupRetention(keepDaily: 7, keepWeekly: 4, keepMonthly: 3), verifyAfterBackup: true,
            createdAt: base, updatedAt: base)
        try await store.createBackupSchedule(schedule)
        let backup = Backup(
            organizationId: organizationId, environmentId: fixture.environment.id, instanceId: fixture.instance.id,
            scheduleId: schedule.id, destinationId: destination.id, status: .running, createdAt: base)
        try await store.createBackup(backup)
        let alert = try await store.raiseAlert(
            Alert(
                organizationId: organizationId, environmentId: fixture.environment.id, kind: .backupMissed,
                subjectId: schedule.id, message: "the 02:00 backup did not run", createdAt: base))
        return Records(destination: destination, schedule: schedule, backup: backup, alert: alert)
    }
}
