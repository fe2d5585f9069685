import Foundation
import SlipwayCore

extension SnapshotOperations {
    /// Removes the environment's snapshots `policy` lets go (files on the server, then records), oldest
    /// first, and answers them: what the cleanup removed, for its record. A snapshot that cannot be
    /// removed now (its server does not answer) stays for the next run.
    public func applyRetention(
        organizationId: String, environmentId: String, policy: SnapshotRetention, now: Date = Date()
    ) async throws -> [Snapshot] {
        let snapshots = try await store.snapshots(organizationId: organizationId, environmentId: environmentId)
        var removed: [Snapshot] = []
        for snapshot in policy.expired(snapshots, now: now) {
            do {
                try await delete(snapshot)
                removed.append(snapshot)
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                instances.logger.warning(
                    "a snapshot retention let go could not be removed",
                    metadata: ["snapshot": "\(snapshot.id)", "error": "\(error)"])
            }
        }
        return removed
    }
}
