import Foundation

/// How many backups of a schedule stay, grandfather-father-son: the newest backup of each of the last
/// `keepDaily` days that have one, of each of the last `keepWeekly` ISO weeks, and of each of the last
/// `keepMonthly` months (UTC). A backup any rule keeps stays. All zero keeps everything.
public struct BackupRetention: Codable, Sendable, Equatable {
    public var keepDaily: Int
    public var keepWeekly: Int
    public var keepMonthly: Int

    public init(keepDaily: Int = 7, keepWeekly: Int = 4, keepMonthly: Int = 3) {
        self.keepDaily = keepDaily
        self.keepWeekly = keepWeekly
        self.keepMonthly = keepMonthly
    }

    /// The completed and failed backups of `backups` (one instance's, one schedule's) this policy lets go,
    /// oldest first. Backups still pending or running are never let go; failed ones never count as kept.
    public func expired(_ backups: [Backup]) -> [Backup] {
        guard keepDaily > 0 || keepWeekly > 0 || keepMonthly > 0 else { return [] }
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let newestFirst = backups.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
        let completed = newestFirst.filter { $0.status == .completed }
        var kept = Set<String>()
        func keep(_ count: Int, _ bucket: (Date) -> DateComponents) {
            var seen = Set<DateComponents>()
            for backup in completed where seen.count < count {
                if seen.insert(bucket(backup.createdAt)).inserted { kept.insert(backup.id) }
            }
        }
        keep(keepDaily) { calendar.dateComponents([.year, .month, .day], from: $0) }
        keep(keepWeekly) { calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: $0) }
        keep(keepMonthly) { calendar.dateComponents([.year, .month], from: $0) }
        return newestFirst.reversed().filter {
            ($0.status == .completed || $0.status == .failed) && !kept.contains($0.id)
        }
    }
}
