import Foundation
import Logging
import ServiceLifecycle
import SlipwayCore
import SlipwayDrivers
import SlipwayStore

/// Keeps instance statuses true to what Docker says (a Service): every interval it looks at the active
/// container of each `running` or `failed` instance on the reachable servers. A container that died
/// turns its instance `failed`, with its exit code and last lines; one that runs again (Docker's
/// restart policy) turns it `running`. Only those two statuses are touched, and only if no action
/// changed the status meanwhile.
public struct InstanceReconciler: Service {
    let operations: InstanceOperations
    let interval: Duration
    let logger: Logger

    public init(operations: InstanceOperations, interval: Duration = .seconds(15), logger: Logger) {
        self.operations = operations
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        // A graceful shutdown (SIGTERM) ends the loop, as it does the other services'.
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    for server in try await operations.store.serversToHealthCheck() where server.status == .active {
                        try? await reconcile(serverId: server.id)
                    }
                } catch {
                    logger.warning("instance reconciliation failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// One pass over a server's instances.
    public func reconcile(serverId: String) async throws {
        let instances = try await operations.store.instances(serverId: serverId).filter {
            $0.status == .running || $0.status == .failed
        }
        guard let first = instances.first else { return }
        let target = try await operations.target(first)
        for instance in instances {
            let name = instance.containerName(instance.activeColor ?? .blue)
            let container = try await operations.existing(name, target.docker)
            let running = container?.state.isUp ?? false
            if instance.status == .running, !running {
                let reason =
                    container.map {
                        $0.state.status == "restarting"
                            ? "the container keeps exiting (exit code \($0.state.exitCode)); Docker is restarting it"
                            : "the container stopped (exit code \($0.state.exitCode))"
                    } ?? "the container is gone"
                let lines = container == nil ? [] : try await operations.lastLines(name, target.docker)
                _ = try await operations.store.updateInstanceStatus(
                    organizationId: instance.organizationId, id: instance.id, expected: .running, status: .failed,
                    reason: reason, lastLogLines: lines)
            } else if instance.status == .failed, running {
                _ = try await operations.store.updateInstanceStatus(
                    organizationId: instance.organizationId, id: instance.id, expected: .failed, status: .running,
                    reason: nil, lastLogLines: [])
            }
        }
    }
}
