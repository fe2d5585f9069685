import Foundation
import Logging
import SlipwayCore
import SlipwayStore

/// The `server.verify` job: connect, pin the host key, read the facts, check Docker (installing it
/// with the distribution's packages when missing and allowed), then start the registry and Caddy on
/// the server's loopback when they are missing (``ServerServices``). Each step is written to the server
/// record before it acts and after it ends, so the user watches it happen; the server's status ends
/// `active`, `unreachable` or `error` with the reason.
public struct ServerVerifier: JobHandler {
    public let kind = Job.Kind.serverVerify
    let store: any Store
    let secrets: SecretBox
    let ssh: any ServerConnector
    let local: any ServerConnector
    let clock: @Sendable () -> Date
    let commandDeadline: Duration
    let images: ServiceImages

    public init(
        store: any Store, secrets: SecretBox, ssh: any ServerConnector, local: any ServerConnector = LocalHost(),
        images: ServiceImages = ServiceImages(), clock: @escaping @Sendable () -> Date = { Date() },
        commandDeadline: Duration = .seconds(60)
    ) {
        self.images = images
        self.store = store
        self.secrets = secrets
        self.ssh = ssh
        self.local = local
        self.clock = clock
        self.commandDeadline = commandDeadline
    }

    public func run(_ job: Job) async throws {
        guard var server = try await store.server(organizationId: job.organizationId, id: job.subjectId) else { return }
        var record = StepRecorder(server: server, store: store, clock: clock)
        server.provisioningSteps = ProvisioningStep.plan
        server.status = .provisioning
        server.statusReason = nil
        try await record.save(server)

        let host: any RemoteHost
        do {
            host = try await record.step(.connect) {
                let credential = try await ServerCredential.load(for: server, store: store, secrets: secrets)
                let connector = server.authMethod == .local ? local : ssh
                let host = try await connector.connect(to: server, credential: credential)
                return (host, "connected to \(server.user)@\(server.host):\(server.port)")
            }
        } catch let failure as ConnectionFailure {
            try await record.finish(status: failure.isUnreachable ? .unreachable : .error, reason: failure.description)
            return
        }
        do {
            let fingerprint = try await record.step(.hostKey) {
                let fingerprint = await host.hostKeyFingerprint
                return (fingerprint, fingerprint.map { "pinned \($0)" } ?? "local machine: no SSH host key")
            }
            record.server.hostKeyFingerprint = fingerprint ?? record.server.hostKeyFingerprint
            var facts = try await record.step(.facts) {
                var outputs: [String] = []
                for command in FactsParser.commands {
                    let output = try await host.run(command, deadline: commandDeadline)
                    guard output.succeeded else {
                        throw ConnectionFailure.refused(
                            "\(command.joined(separator: " ")) failed: \(output.stderrText.prefix(300))")
                    }
                    outputs.append(output.stdoutText)
                }
                let facts = FactsParser.parse(
                    osRelease: outputs[0], kernel: outputs[1], machine: outputs[2], nproc: outputs[3],
                    meminfo: outputs[4], df: outputs[5])
                return (facts, "\(facts.os), kernel \(facts.kernel), \(facts.architecture), \(facts.cpus) CPUs")
            }
            record.server.facts = facts
            record.server.lastCheckedAt = clock()
            facts = try await record.step(.docker) {
                try await DockerSetup(host: host, socketPath: server.dockerSocketPath, deadline: commandDeadline)
                    .ensure(facts: facts, allowInstall: server.allowDockerInstall)
            }
            record.server.facts = facts
            record.server.lastCheckedAt = clock()
            let services = ServerServices(
                host: host, docker: try await host.docker(socketPath: server.dockerSocketPath), server: server,
                images: images)
            try await record.step(.registry) { ((), try await services.ensureRegistry()) }
            try await record.step(.proxy) { ((), try await services.ensureProxy()) }
            await host.close()
            try await record.finish(status: .active, reason: nil)
        } catch is CancellationError {
            await host.close()
            throw CancellationError()
        } catch let failure as ConnectionFailure {
            await host.close()
            try await record.finish(status: failure.isUnreachable ? .unreachable : .error, reason: failure.description)
        } catch {
            await host.close()
            try await record.finish(status: .error, reason: "\(error)")
        }
    }
}

extension ConnectionFailure {
    var isUnreachable: Bool {
        if case .unreachable = self { return true }
        return false
    }
}
