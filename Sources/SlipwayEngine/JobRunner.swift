import Foundation
import Logging
import ServiceLifecycle
import SlipwayCore
import SlipwayStore
import Synchronization

/// Claims jobs from the durable queue and runs them, at most `maxConcurrent` at once, renewing
/// each job's lease while it runs. A control plane that dies leaves its leases to run out; the
/// jobs are then claimed again, here or by another control plane on the same PostgreSQL.
public struct JobRunner: Service {
    public struct Configuration: Sendable {
        public var owner: String
        public var lease: TimeInterval
        public var pollInterval: Duration
        public var maxConcurrent: Int

        public init(
            owner: String =
                "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(Identifier.secret(bytes: 4))",
            lease: TimeInterval = 30, pollInterval: Duration = .milliseconds(500), maxConcurrent: Int = 4
        ) {
            self.owner = owner
            self.lease = lease
            self.pollInterval = pollInterval
            self.maxConcurrent = maxConcurrent
        }
    }

    private let store: any Store
    private let handlers: [Job.Kind: any JobHandler]
    private let configuration: Configuration
    private let clock: @Sendable () -> Date
    private let logger: Logger

    public init(
        store: any Store, handlers: [any JobHandler], configuration: Configuration = Configuration(),
        clock: @escaping @Sendable () -> Date = { Date() }, logger: Logger
    ) {
        self.store = store
        self.handlers = Dictionary(handlers.map { ($0.kind, $0) }, uniquingKeysWith: { $1 })
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        guard !handlers.isEmpty else { return }
        let running = RunningCount()
        try await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                while !Task.isCancelled {
                    if running.value.withLock({ $0 }) < configuration.maxConcurrent, let job = await claim() {
                        running.value.withLock { $0 += 1 }
                        group.addTask {
                            await execute(job)
                            running.value.withLock { $0 -= 1 }
                        }
                        continue
                    }
                    try? await Task.sleep(for: configuration.pollInterval)
                }
            }
        }
    }

    private func claim() async -> Job? {
        do {
            return try await store.claimJob(
                kinds: Array(handlers.keys), owner: configuration.owner, lease: configuration.lease, now: clock())
        } catch {
            logger.error("could not claim a job", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// Runs one job beside a heartbeat that renews its lease; whichever ends first ends the other.
    private func execute(_ job: Job) async {
        guard let handler = handlers[job.kind] else { return }
        var logger = logger
        logger[metadataKey: "job"] = "\(job.id)"
        logger[metadataKey: "kind"] = "\(job.kind.rawValue)"
        logger.info("job started", metadata: ["attempt": "\(job.attempts)"])
        let outcome: Result<Void, any Error> = await withTaskGroup(of: Result<Void, any Error>?.self) { group in
            group.addTask {
                do {
                    try await handler.run(job)
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
            // The heartbeat answers nil only when cancelled; then the handler's own result decides.
            group.addTask { await heartbeat(job) ? nil : .failure(LeaseLost()) }
            for await result in group {
                if let result {
                    group.cancelAll()
                    return result
                }
            }
            return .failure(CancellationError())
        }
        let owner = configuration.owner
        switch outcome {
        case .success:
            _ = try? await store.finishJob(id: job.id, owner: owner, status: .completed, error: nil, at: clock())
            logger.info("job completed")
        case .failure(let error as LeaseLost):
            logger.warning("job lease lost; another worker has it", metadata: ["error": "\(error)"])
        case .failure(let error) where error is CancellationError || Task.isCancelled:
            // Shutting down: hand the job back at once rather than when the lease runs out.
            _ = try? await store.renewJobLease(id: job.id, owner: owner, until: clock().addingTimeInterval(-1))
            logger.info("job interrupted; it will be claimed again")
        case .failure(let error):
            _ = try? await store.finishJob(id: job.id, owner: owner, status: .failed, error: "\(error)", at: clock())
            logger.warning("job failed", metadata: ["error": "\(error)"])
        }
    }

    /// Renews the lease every third of its length; returns false when the lease was lost, and only
    /// returns at all when it was, or when cancelled (the job ended).
    private func heartbeat(_ job: Job) async -> Bool {
        let interval = Duration.milliseconds(Int64(configuration.lease * 1000 / 3))
        while true {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return true
            }
            let renewed = try? await store.renewJobLease(
                id: job.id, owner: configuration.owner, until: clock().addingTimeInterval(configuration.lease))
            if renewed == false { return false }
        }
    }

    /// How many jobs this runner has in flight, shared with the tasks that run them.
    private final class RunningCount: Sendable {
        let value = Mutex(0)
    }

    struct LeaseLost: Error, CustomStringConvertible {
        var description: String { "the job's lease was lost" }
    }
}
