import Foundation
import HummingbirdTesting
import Logging
import SlipwayCore
import SlipwayEngine
import SlipwayServer
import SlipwayTesting
import Testing

@Suite("Server verification through the API")
struct ServerVerificationTests {
    @Test("the local machine is registered at first start and verifies through a queued job")
    func verifyLocal() async throws {
        try await TestControlPlane.with { plane in
            try await plane.test { client in
                let servers = try await send(client, .get, "/api/servers", token: plane.ownerToken)
                let local = try #require(servers.items.first { $0["name"]?.string == "local" })
                #expect(local["authMethod"]?.string == "local")
                let id = try #require(local["id"]?.string)

                let queued = try await send(client, .post, "/api/servers/\(id)/verify", token: plane.ownerToken)
                #expect(queued.status == 202)
                #expect(queued["kind"]?.string == "server.verify")
                #expect(queued["status"]?.string == "queued")
                let pending = try await send(client, .get, "/api/servers/\(id)", token: plane.ownerToken)
                #expect(pending["status"]?.string == "provisioning")

                let runner = JobRunner(
                    store: plane.store,
                    handlers: [ServerVerifier(store: plane.store, secrets: plane.backend.secrets, ssh: LocalHost())],
                    configuration: .init(owner: "test", lease: 10, pollInterval: .milliseconds(20)),
                    logger: Logger(label: "test"))
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await runner.run() }
                    let deadline = ContinuousClock.now + .seconds(60)
                    while ContinuousClock.now < deadline {
                        let jobs = try await send(client, .get, "/api/servers/\(id)/jobs", token: plane.ownerToken)
                        if let status = jobs.items.first?["status"]?.string, status == "completed" || status == "failed"
                        {
                            break
                        }
                        try await Task.sleep(for: .milliseconds(50))
                    }
                    group.cancelAll()
                }
                let verified = try await send(client, .get, "/api/servers/\(id)", token: plane.ownerToken)
                #expect(verified["facts"]?["cpus"]?.int == ProcessInfo.processInfo.activeProcessorCount)
                #expect(["active", "error"].contains(verified["status"]?.string ?? ""))
                let steps = verified["provisioningSteps"]
                guard case .array(let list)? = steps else {
                    Issue.record("no steps: \(verified.text)")
                    return
                }
                #expect(
                    list.compactMap { $0["name"]?.string } == [
                        "connect", "host-key", "facts", "docker", "registry", "proxy",
                    ])
                #expect(list.first?["status"]?.string == "completed")
            }
        }
    }

    @Test("a host key is trusted only as a SHA256 fingerprint")
    func trustHostKey() async throws {
        try await TestControlPlane.with { plane in
            try await plane.test { client in
                let id = try await create(
                    client, "/api/servers", token: plane.ownerToken,
                    body: #"{"name":"web1","host":"web1.example.test","user":"deploy","password":"pw"}"#)
                let bad = try await send(
                    client, .post, "/api/servers/\(id)/trust-host-key", token: plane.ownerToken,
                    body: #"{"fingerprint":"MD5:aa:bb"}"#)
                #expect(bad.status == 422)
                #expect(bad.errorField == "fingerprint")
                let fingerprint = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s"
                let good = try await send(
                    client, .post, "/api/servers/\(id)/trust-host-key", token: plane.ownerToken,
                    body: #"{"fingerprint":"\#(fingerprint)"}"#)
                #expect(good.status == 200)
                #expect(good["hostKeyFingerprint"]?.string == fingerprint)
            }
        }
    }
}
