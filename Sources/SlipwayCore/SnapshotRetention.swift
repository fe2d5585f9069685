import Foundation

/// Which snapshots of an environment are kept: per instance, the last `keepLast` completed ones and/or
/// those younger than `keepDays` days (with both set, a snapshot either rule keeps stays). Pinned
/// snapshots always stay; snapshots still pending or running are never touched; backups follow their
/// own schedule's retention, not this one.
public struct SnapshotRetention: Codable, Sendable, Equatable {
    public var keepLast: Int?
    public var keepDays: Int?

    public init(keepLast: Int? = nil, keepDays: Int? = nil) {
        self.keepLast = keepLast
        self.keepDays = keepDays
    }

    /// The snapshots this policy removes from `snapshots` at `now`. No rule set removes nothing.
    public func expired(_ snapshots: [Snapshot], now: Date) -> [Snapshot] {
        guard keepLast != nil || keepDays != nil else { return [] }
        let candidates = snapshots.filter {
            !$0.pinned && $0.kind != .backup && ($0.status == .completed || $0.status == .failed)
        }
        var expired: [Snapshot] = []
        for (_, ofInstance) in Dictionary(grouping: candidates, by: \.instanceId) {
            let newestFirst = ofInstance.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
            let lastCompleted = Set(
                newestFirst.filter { $0.status == .completed }.prefix(keepLast ?? 0).map(\.id))
            for snapshot in newestFirst {
                let young = keepDays.map { now.timeIntervalSince(snapshot.createdAt) < Double($0) * 86_400 } ?? false
                if !lastCompleted.contains(snapshot.id), !young {
                    expired.append(snapshot)
                }
            }
        }
        return expired.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }
}
