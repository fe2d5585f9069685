import Foundation
import SlipwayCore
import SlipwayStore

/// Runs `backup.run` and `backup.verify` (the job's subject is the backup record). A backup that failed
/// fails its job too, with the same reason; its alert is already raised.
public struct BackupJobHandler: JobHandler {
    public let kind: Job.Kind
    let operations: BackupOperations

    public init(kind: Job.Kind, operations: BackupOperations) {
        self.kind = kind
        self.operations = operations
    }

    public static func all(_ operations: BackupOperations) -> [BackupJobHandler] {
        [.backupRun, .backupVerify].map { BackupJobHandler(kind: $0, operations: operations) }
    }

    public func run(_ job: Job) async throws {
        guard let backup = try await operations.store.backup(organizationId: job.organizationId, id: job.subjectId)
        else { return }
        switch kind {
        case .backupRun:
            guard backup.status == .pending || backup.status == .running else { return }
            let ended = try await operations.run(backup)
            if ended.status == .failed { throw SnapshotFailure(ended.statusReason ?? "the backup failed") }
        case .backupVerify:
            let ended = try await operations.verify(backup)
            if ended.drillStatus == .failed { throw SnapshotFailure(ended.drillReport ?? "the drill failed") }
        default:
            return
        }
    }
}
