import Foundation
import SlipwayCore
import Testing

@Suite("Snapshot retention")
struct SnapshotRetentionTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func snapshot(
        _ instance: String, daysAgo: Double, status: Snapshot.Status = .completed, pinned: Bool = false,
        kind: Snapshot.Kind = .manual
    ) -> Snapshot {
        Snapshot(
            organizationId: "org", environmentId: "env", instanceId: instance, kind: kind, status: status,
            pinned: pinned, createdAt: now.addingTimeInterval(-daysAgo * 86_400))
    }

    @Test("keep the last N per instance; pinned, running and backup snapshots are never removed")
    func keepLast() {
        let a = (0..<5).map { Self.snapshot("a", daysAgo: Double($0)) }
        let b = (0..<2).map { Self.snapshot("b", daysAgo: Double($0)) }
        let pinned = Self.snapshot("a", daysAgo: 30, pinned: true)
        let running = Self.snapshot("a", daysAgo: 40, status: .running)
        let backup = Self.snapshot("a", daysAgo: 50, kind: .backup)
        let failed = Self.snapshot("a", daysAgo: 0.5, status: .failed)
        let expired = SnapshotRetention(keepLast: 3).expired(
            a + b + [pinned, running, backup, failed], now: Self.now)
        #expect(Set(expired.map(\.id)) == Set([a[3].id, a[4].id, failed.id]))
    }

    @Test("keep those younger than D days; with both rules, either keeps a snapshot")
    func keepDays() {
        let a = [0.5, 3, 6, 8, 20].map { Self.snapshot("a", daysAgo: $0) }
        #expect(SnapshotRetention(keepDays: 7).expired(a, now: Self.now).map(\.id) == [a[4].id, a[3].id])
        #expect(SnapshotRetention(keepLast: 4, keepDays: 7).expired(a, now: Self.now).map(\.id) == [a[4].id])
        #expect(SnapshotRetention().expired(a, now: Self.now).isEmpty, "no rule removes nothing")
    }
}
