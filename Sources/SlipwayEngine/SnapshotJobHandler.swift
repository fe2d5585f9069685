import Foundation
import SlipwayCore
import SlipwayStore

/// Runs `snapshot.create` (the job's subject is the snapshot), `snapshot.restore` (the subject is the
/// restore record, whose steps it writes as they happen) and `snapshot.cleanup` (the subject is the
/// environment: the snapshots its retention lets go are removed, each recorded in the audit log).
public struct SnapshotJobHandler: JobHandler {
    public let kind: Job.Kind
    let operations: SnapshotOperations

    public init(kind: Job.Kind, operations: SnapshotOperations) {
        self.kind = kind
        self.operations = operations
    }

    public static func all(_ operations: SnapshotOperations) -> [SnapshotJobHandler] {
        [.snapshotCreate, .snapshotRestore, .snapshotCleanup].map {
            SnapshotJobHandler(kind: $0, operations: operations)
        }
    }

    public func run(_ job: Job) async throws {
        let store = operations.store
        switch kind {
        case .snapshotCreate:
            guard let snapshot = try await store.snapshot(organizationId: job.organizationId, id: job.subjectId) else {
                return
            }
            let taken = try await operations.take(snapshot)
            if taken.status == .failed { throw SnapshotFailure(taken.statusReason ?? "the snapshot failed") }
        case .snapshotRestore:
            guard let restore = try await store.restore(organizationId: job.organizationId, id: job.subjectId),
                let snapshot = try await store.snapshot(organizationId: job.organizationId, id: restore.snapshotId)
            else { return }
            let record = RestoreRecord(store: store, restore: restore)
            await record.set(status: .running)
            do {
                let report = try await operations.restore(
                    snapshot, into: restore.instanceId, safetySnapshot: restore.safetySnapshot
                ) { name in await record.begin(name) }
                await record.finish(status: .completed, reason: nil, safetySnapshotId: report.safetySnapshotId)
            } catch {
                await record.finish(status: .failed, reason: "\(error)", safetySnapshotId: nil)
                throw error
            }
        case .snapshotCleanup:
            try await cleanUp(organizationId: job.organizationId, environmentId: job.subjectId, jobId: job.id)
        default:
            return
        }
    }

    func cleanUp(organizationId: String, environmentId: String, jobId: String) async throws {
        let store = operations.store
        let policy = try await store.snapshotRetention(organizationId: organizationId, environmentId: environmentId)
        let removed = try await operations.applyRetention(
            organizationId: organizationId, environmentId: environmentId, policy: policy)
        for snapshot in removed {
            try await store.appendAudit(
                AuditEntry(
                    organizationId: organizationId, actorId: nil, actorName: "snapshot retention",
                    action: "snapshot.cleanup", resource: "snapshots", resourceId: snapshot.id, result: 200, ip: nil,
                    userAgent: nil, requestId: jobId))
        }
    }
}

/// A restore's record, kept current as its stages begin and end.
actor RestoreRecord {
    let store: any Store
    private(set) var restore: Restore

    init(store: any Store, restore: Restore) {
        self.store = store
        self.restore = restore
    }

    func set(status: Restore.Status) async {
        restore.status = status
        await save()
    }

    /// The previous stage completed; `name` begins.
    func begin(_ name: String) async {
        let now = Date()
        closeRunning(.completed, at: now)
        restore.steps.append(Restore.Progress(name: name, status: .running, startedAt: now))
        await save()
    }

    func finish(status: Restore.Status, reason: String?, safetySnapshotId: String?) async {
        let now = Date()
        closeRunning(status == .completed ? .completed : .failed, at: now, output: reason ?? "")
        restore.status = status
        restore.statusReason = reason
        restore.safetySnapshotId = safetySnapshotId ?? restore.safetySnapshotId
        restore.completedAt = now
        await save()
    }

    private func closeRunning(_ status: Step.Status, at date: Date, output: String = "") {
        guard let index = restore.steps.lastIndex(where: { $0.status == .running }) else { return }
        restore.steps[index].status = status
        restore.steps[index].completedAt = date
        if !output.isEmpty { restore.steps[index].output = output }
    }

    private func save() async {
        try? await store.updateRestore(restore)
    }
}
