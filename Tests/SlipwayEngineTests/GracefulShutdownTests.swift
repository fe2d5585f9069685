import Crypto
import Foundation
import Logging
import ServiceLifecycle
import SlipwayCore
import SlipwayEngine
import SlipwayStore
import SlipwayTesting
import Testing

/// The engine's services as `slipway serve` runs them: a graceful shutdown (what SIGTERM triggers)
/// ends them all, instead of leaving the control plane hanging.
@Suite("Graceful shutdown of the engine's services")
struct GracefulShutdownTests {
    @Test("the job runner, the health check and the reconciler all end on a graceful shutdown")
    func servicesEnd() async throws {
        try await TestStore.with(.sqlite, label: "shutdown") { store in
            let secrets = SecretBox(key: SymmetricKey(size: .bits256))
            let logger = Logger(label: "test")
            let ssh = SSHServerConnector()
            let instances = InstanceOperations(store: store, secrets: secrets, ssh: ssh)
            let group = ServiceGroup(
                configuration: .init(
                    services: [
                        JobRunner(
                            store: store, handlers: InstanceJobHandler.all(instances),
                            configuration: .init(owner: "test", pollInterval: .milliseconds(50)), logger: logger),
                        ServerHealthCheck(
                            store: store, secrets: secrets, ssh: ssh, interval: .seconds(60), logger: logger),
                        InstanceReconciler(operations: instances, interval: .seconds(60), logger: logger),
                    ], logger: logger))
            let ended = try await withThrowingTaskGroup(of: Bool.self) { tasks in
                tasks.addTask {
                    try await group.run()
                    return true
                }
                tasks.addTask {
                    try await Task.sleep(for: .seconds(30))
                    return false
                }
                try await Task.sleep(for: .milliseconds(300))
                await group.triggerGracefulShutdown()
                let first = try await tasks.next() ?? false
                tasks.cancelAll()
                return first
            }
            #expect(ended, "a service did not end within 30 s of the graceful shutdown")
            await ssh.closeAll()
        }
    }
}
