import Foundation
import Logging
import ServiceLifecycle
import SlipwayCore
import SlipwayStore

/// Every `interval`, runs a trivial command on each verified server: one that does not answer within
/// `timeout` turns `unreachable`, and one that answers again turns back `active`. So a dead server shows
/// within `interval + timeout`.
public struct ServerHealthCheck: Service {
    private let store: any Store
    private let secrets: SecretBox
    private let ssh: any ServerConnector
    private let local: any ServerConnector
    private let interval: Duration
    private let timeout: Duration
    private let clock: @Sendable () -> Date
    private let logger: Logger

    public init(
        store: any Store, secrets: SecretBox, ssh: any ServerConnector, local: any ServerConnector = LocalHost(),
        interval: Duration = .seconds(30), timeout: Duration = .seconds(10),
        clock: @escaping @Sendable () -> Date = { Date() },
        logger: Logger
    ) {
        self.store = store
        self.secrets = secrets
        self.ssh = ssh
        self.local = local
        self.interval = interval
        self.timeout = timeout
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await checkAll()
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// One round over every server that was verified (active or unreachable), all at once.
    public func checkAll() async {
        let servers: [Server]
        do {
            servers = try await store.serversToHealthCheck()
        } catch {
            logger.error("health check could not list servers", metadata: ["error": "\(error)"])
            return
        }
        await withTaskGroup(of: Void.self) { group in
            for server in servers {
                group.addTask { await check(server) }
            }
        }
    }

    private func check(_ server: Server) async {
        let reachable: Result<Void, ConnectionFailure>
        do {
            let credential = try await ServerCredential.load(for: server, store: store, secrets: secrets)
            let connector = server.authMethod == .local ? local : ssh
            reachable = try await withDeadline(timeout) {
                let host = try await connector.connect(to: server, credential: credential)
                let output = try await host.run(["true"], deadline: timeout)
                await host.close()
                return output.succeeded ? .success(()) : .failure(.unreachable("the health check command failed"))
            }
        } catch let failure as ConnectionFailure {
            reachable = .failure(failure)
        } catch {
            reachable = .failure(.unreachable("\(error)"))
        }
        let status: Server.Status
        let reason: String?
        switch reachable {
        case .success:
            (status, reason) = (.active, nil)
        case .failure(let failure):
            (status, reason) = (failure.isUnreachable ? .unreachable : .error, "health check: \(failure.description)")
        }
        if status != server.status {
            logger.notice(
                "server status changed",
                metadata: ["server": "\(server.id)", "from": "\(server.status)", "to": "\(status)"])
        }
        // Only if nothing (a verification) changed the status since the list was read.
        _ = try? await store.updateServerReachability(
            organizationId: server.organizationId, id: server.id, expected: server.status, status: status,
            reason: reason,
            checkedAt: status == .active ? clock() : nil)
    }

    private func withDeadline<T: Sendable>(_ deadline: Duration, _ body: @escaping @Sendable () async throws -> T)
        async throws -> T
    {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: deadline)
                throw ConnectionFailure.unreachable("no answer within \(deadline)")
            }
            guard let first = try await group.next() else { throw CancellationError() }
            group.cancelAll()
            return first
        }
    }
}
