import Foundation
import SlipwayCore
import Testing

@Suite("Backup retention")
struct BackupRetentionTests {
    /// 2025-06-30, a Monday, at 02:00 UTC.
    static let lastDay = Date(timeIntervalSince1970: 1_751_248_800)

    static func backup(
        _ id: String, daysBefore days: Int, hours: Double = 0, status: Backup.Status = .completed
    ) -> Backup {
        Backup(
            id: id, organizationId: "org", environmentId: "env", instanceId: "ins", scheduleId: "bks",
            destinationId: "dst", status: status,
            createdAt: lastDay.addingTimeInterval(-Double(days) * 86_400 + hours * 3600))
    }

    /// The id of a daily backup: its date.
    static func day(_ daysBefore: Int) -> String {
        let date = lastDay.addingTimeInterval(-Double(daysBefore) * 86_400)
        return String(date.ISO8601Format().prefix(10))
    }

    @Test("7 daily, 4 weekly and 3 monthly over 120 daily backups keep exactly those")
    func grandfatherFatherSon() {
        let backups = (0..<120).map { Self.backup(Self.day($0), daysBefore: $0) }
        let expired = BackupRetention(keepDaily: 7, keepWeekly: 4, keepMonthly: 3).expired(backups.shuffled())
        let kept = Set(backups.map(\.id)).subtracting(expired.map(\.id))
        #expect(
            kept == [
                // The last seven days.
                "2025-06-24", "2025-06-25", "2025-06-26", "2025-06-27", "2025-06-28", "2025-06-29", "2025-06-30",
                // The newest of each of the last four ISO weeks (the Sundays; this week's is the 30th).
                "2025-06-22", "2025-06-15",
                // The newest of each of the last three months.
                "2025-05-31", "2025-04-30",
            ])
        #expect(expired.count == 109)
        #expect(expired.map(\.createdAt) == expired.map(\.createdAt).sorted())
    }

    @Test("of several backups in one day, the newest stays")
    func newestOfADay() {
        let early = Self.backup("early", daysBefore: 0, hours: -1)
        let latest = Self.backup("latest", daysBefore: 0, hours: 1)
        let middle = Self.backup("middle", daysBefore: 0)
        let yesterday = Self.backup("yesterday", daysBefore: 1)
        let expired = BackupRetention(keepDaily: 2, keepWeekly: 0, keepMonthly: 0).expired([
            early, latest, middle, yesterday,
        ])
        #expect(expired.map(\.id) == ["early", "middle"])
    }

    @Test("failed backups are never kept and take no day's place; pending and running ones never expire")
    func failedAndUnfinished() {
        let failedToday = Self.backup("failed-today", daysBefore: 0, hours: 2, status: .failed)
        let today = Self.backup("today", daysBefore: 0)
        let failedYesterday = Self.backup("failed-yesterday", daysBefore: 1, status: .failed)
        let twoDaysAgo = Self.backup("two-days-ago", daysBefore: 2)
        let threeDaysAgo = Self.backup("three-days-ago", daysBefore: 3)
        let running = Self.backup("running", daysBefore: 30, status: .running)
        let pending = Self.backup("pending", daysBefore: 40, status: .pending)
        let expired = BackupRetention(keepDaily: 2, keepWeekly: 0, keepMonthly: 0).expired([
            failedToday, today, failedYesterday, twoDaysAgo, threeDaysAgo, running, pending,
        ])
        #expect(expired.map(\.id) == ["three-days-ago", "failed-yesterday", "failed-today"])
    }

    @Test("all zero keeps everything")
    func allZero() {
        let backups = (0..<30).map {
            Self.backup(Self.day($0), daysBefore: $0, status: $0 % 3 == 0 ? .failed : .completed)
        }
        #expect(BackupRetention(keepDaily: 0, keepWeekly: 0, keepMonthly: 0).expired(backups).isEmpty)
    }

    @Test("a weekly rule alone keeps one per ISO week, the week's newest")
    func weeklyAlone() {
        // Monday 2025-06-30 back to Monday 2025-06-16: three ISO weeks.
        let backups = (0...14).map { Self.backup(Self.day($0), daysBefore: $0) }
        let expired = BackupRetention(keepDaily: 0, keepWeekly: 2, keepMonthly: 0).expired(backups)
        #expect(Set(backups.map(\.id)).subtracting(expired.map(\.id)) == ["2025-06-30", "2025-06-29"])
    }
}

@Suite("Backup root")
struct BackupRootTests {
    @Test("a path is inside the root only at or below it, once '..' is resolved")
    func inside() {
        #expect(BackupDestination.path("/var/lib/slipway/backups", isInside: "/var/lib/slipway/backups"))
        #expect(BackupDestination.path("/var/lib/slipway/backups/nightly", isInside: "/var/lib/slipway/backups/"))
        #expect(!BackupDestination.path("/var/lib/slipway/backups-other", isInside: "/var/lib/slipway/backups"))
        #expect(!BackupDestination.path("/var/lib/slipway/backups/../data", isInside: "/var/lib/slipway/backups"))
        #expect(!BackupDestination.path("/etc", isInside: "/var/lib/slipway/backups"))
        #expect(BackupDestination.path("/anything", isInside: "/"))
    }
}
