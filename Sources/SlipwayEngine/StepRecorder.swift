import Foundation
import SlipwayCore
import SlipwayStore

/// Keeps a server's provisioning steps on its record: each step is saved as running before it acts
/// and as completed or failed after, with its output.
struct StepRecorder {
    var server: Server
    let store: any Store
    let clock: @Sendable () -> Date

    mutating func save(_ server: Server) async throws {
        self.server = server
        _ = try await store.updateServer(server)
    }

    mutating func step<T>(_ name: ProvisioningStep.Name, _ body: () async throws -> (T, String)) async throws -> T {
        let started = clock()
        update(name) {
            $0.status = .running
            $0.startedAt = started
        }
        try await save(server)
        do {
            let (value, output) = try await body()
            let ended = clock()
            update(name) {
                $0.status = .completed
                $0.output = output
                $0.completedAt = ended
            }
            try await save(server)
            return value
        } catch {
            let ended = clock()
            update(name) {
                $0.status = .failed
                $0.output = "\(error)"
                $0.completedAt = ended
            }
            try await save(server)
            throw error
        }
    }

    /// Sets the final status; steps that never ran are marked skipped.
    mutating func finish(status: Server.Status, reason: String?) async throws {
        server.status = status
        server.statusReason = reason
        for index in server.provisioningSteps.indices where server.provisioningSteps[index].status == .pending {
            server.provisioningSteps[index].status = .skipped
        }
        try await save(server)
    }

    private mutating func update(_ name: ProvisioningStep.Name, _ change: (inout ProvisioningStep) -> Void) {
        if let index = server.provisioningSteps.firstIndex(where: { $0.name == name }) {
            change(&server.provisioningSteps[index])
        } else {
            var step = ProvisioningStep(name: name)
            change(&step)
            server.provisioningSteps.append(step)
        }
    }
}
