import SlipwayCore
import SlipwayStore

extension Restore: FollowedRecord {
    /// The last event of a restore's stream: the whole record, once it has ended.
    static let finalEvent = "restore"
    var hasEnded: Bool { status == .completed || status == .failed }
}

/// A restore's progress as Server-Sent Events: each step as it stands (a `step` event with the step's index
/// as its id), then each step added or changed as the `snapshot.restore` job writes it, and once the
/// restore has ended a `restore` event with the whole record, which ends the sequence. It follows the
/// stored record, not an in-process bus, so it follows a restore that another control plane runs.
typealias RestoreEvents = RecordEvents<Restore>

extension RecordEvents where Record == Restore {
    /// The events of `restore` for a client that has seen its first `seen` steps as they are now.
    init(store: any Store, restore: Restore, seen: Int = 0) {
        self.init(
            record: restore,
            reload: { try await store.restore(organizationId: restore.organizationId, id: restore.id) },
            seen: seen)
    }
}
