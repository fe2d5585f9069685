import Foundation
import SlipwayCore
import SlipwayStore

/// Runs the instance jobs (`instance.provision`, `.start`, `.stop`, `.restart`, `.remove`, `.purge`)
/// through ``InstanceOperations``. A failure leaves the instance `failed` with the reason and, when its
/// container wrote anything, the last lines; the job fails with the same reason.
public struct InstanceJobHandler: JobHandler {
    public let kind: Job.Kind
    let operations: InstanceOperations

    public init(kind: Job.Kind, operations: InstanceOperations) {
        self.kind = kind
        self.operations = operations
    }

    /// One handler per instance job kind.
    public static func all(_ operations: InstanceOperations) -> [InstanceJobHandler] {
        [.instanceProvision, .instanceStart, .instanceStop, .instanceRestart, .instanceRemove, .instancePurge].map {
            InstanceJobHandler(kind: $0, operations: operations)
        }
    }

    public func run(_ job: Job) async throws {
        guard
            let instance = try await operations.store.instance(organizationId: job.organizationId, id: job.subjectId)
        else { return }
        do {
            switch kind {
            case .instanceProvision: try await operations.provision(instance)
            case .instanceStart: try await operations.start(instance)
            case .instanceStop: try await operations.stop(instance)
            case .instanceRestart: try await operations.restart(instance)
            case .instanceRemove: try await operations.remove(instance, dropData: false)
            case .instancePurge: try await operations.remove(instance, dropData: true)
            default: return
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch let failure as InstanceFailure {
            try await operations.save(instance, status: .failed, reason: failure.reason, lastLines: failure.lastLines)
            throw failure
        } catch {
            try await operations.save(instance, status: .failed, reason: "\(error)")
            throw error
        }
    }
}
