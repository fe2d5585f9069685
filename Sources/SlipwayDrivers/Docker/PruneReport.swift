/// What a prune call deleted: container ids, image ids, volume or network names.
public struct PruneReport: Sendable, Equatable {
    /// The ids or names of what was deleted.
    public var deleted: [String]
    /// Bytes freed on the server's disk (zero for networks).
    public var spaceReclaimed: Int64

    public init(deleted: [String], spaceReclaimed: Int64) {
        self.deleted = deleted
        self.spaceReclaimed = spaceReclaimed
    }
}
