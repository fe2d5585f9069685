import Crypto
import Foundation
import SlipwayCore
import SlipwayDrivers
import SlipwayEngine
import SlipwayStore
import SlipwayTesting
import Testing

@Suite("Server verification")
struct ServerVerifierTests {
    @Test("the local machine verifies with its real facts and its services, every step recorded")
    func localMachine() async throws {
        try await DockerTestEngine.ensureServiceImages()
        try await TestStore.with(.sqlite, label: "verify") { store in
            let organization = try await JobQueueTests.organization(store)
            let server = Server(
                organizationId: organization.id, name: "local", host: "localhost", port: 0, user: "root",
                authMethod: .local, dockerSocketPath: try await DockerTestEngine.socketPath(),
                registryPort: try LoopbackSocket.freePort(), proxyAdminPort: try LoopbackSocket.freePort())
            try await store.createServer(server, encryptedCredential: nil)
            try await ServerProvisioningTests.cleaningUp(server) {
                let verifier = ServerVerifier(
                    store: store, secrets: SecretBox(key: SymmetricKey(size: .bits256)), ssh: LocalHost(),
                    images: ServerProvisioningTests.images)
                try await verifier.run(Job(organizationId: organization.id, kind: .serverVerify, subjectId: server.id))

                let verified = try #require(try await store.server(organizationId: organization.id, id: server.id))
                let facts = try #require(verified.facts, "no facts: \(verified.statusReason ?? "")")
                #expect(facts.cpus == ProcessInfo.processInfo.activeProcessorCount)
                let memory = Double(ProcessInfo.processInfo.physicalMemory)
                #expect(abs(Double(facts.memoryBytes) - memory) / memory < 0.05)
                #expect(
                    facts.kernel
                        == (try String(contentsOfFile: "/proc/sys/kernel/osrelease", encoding: .utf8))
                        .trimmingCharacters(
                            in: .whitespacesAndNewlines))
                #expect(facts.diskBytes > facts.diskFreeBytes)
                #expect(!facts.os.isEmpty && facts.os != "unknown")
                let steps = Dictionary(uniqueKeysWithValues: verified.provisioningSteps.map { ($0.name, $0) })
                #expect(steps[.connect]?.status == .completed)
                #expect(steps[.facts]?.status == .completed)
                #expect(steps[.facts]?.startedAt != nil && steps[.facts]?.completedAt != nil)
                let engine = try await DockerTestEngine.client().version()
                #expect(facts.dockerVersion == engine.version)
                #expect(steps[.docker]?.output.contains(engine.version) == true)
                #expect(steps[.registry]?.status == .completed, "\(steps[.registry]?.output ?? "")")
                #expect(steps[.proxy]?.status == .completed, "\(steps[.proxy]?.output ?? "")")
                #expect(verified.status == .active, "\(verified.statusReason ?? "")")
                // The services answer on this machine's loopback, through the same clients deployments use.
                try await RegistryClient(
                    endpoint: .tcp(host: "127.0.0.1", port: server.registryPort), port: server.registryPort
                ).ping()
                try await CaddyAdminClient(
                    endpoint: .tcp(host: "127.0.0.1", port: server.proxyAdminPort), adminPort: server.proxyAdminPort
                ).ping()
            }
        }
    }

    @Test("a machine whose Docker does not answer ends in error with the reason, and nothing after runs")
    func dockerMissing() async throws {
        try await TestStore.with(.sqlite, label: "verify") { store in
            let organization = try await JobQueueTests.organization(store)
            let server = Server(
                organizationId: organization.id, name: "local", host: "localhost", port: 0, user: "root",
                authMethod: .local, dockerSocketPath: "/nonexistent/docker.sock")
            try await store.createServer(server, encryptedCredential: nil)
            let verifier = ServerVerifier(
                store: store, secrets: SecretBox(key: SymmetricKey(size: .bits256)), ssh: LocalHost())
            try await verifier.run(Job(organizationId: organization.id, kind: .serverVerify, subjectId: server.id))
            let verified = try #require(try await store.server(organizationId: organization.id, id: server.id))
            let steps = Dictionary(uniqueKeysWithValues: verified.provisioningSteps.map { ($0.name, $0) })
            #expect(verified.status == .error)
            #expect(verified.statusReason?.contains("Docker is not running") == true)
            #expect(verified.statusReason?.contains("/nonexistent/docker.sock") == true)
            #expect(steps[.docker]?.status == .failed)
            #expect(steps[.registry]?.status == .skipped)
            #expect(steps[.proxy]?.status == .skipped)
        }
    }

    @Test("facts parse from the commands' output")
    func parsing() {
        let facts = FactsParser.parse(
            osRelease: "NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n",
            kernel: "6.1.0-18-amd64\n",
            machine: "x86_64\n", nproc: "4\n", meminfo: "MemTotal:       16318508 kB\nMemFree: 1 kB\n",
            df:
                "Filesystem 1-blocks Used Available Capacity Mounted on\n/dev/vda1 105089261568 20000 90000000000 20% /\n"
        )
        #expect(facts.os == "Debian GNU/Linux 12 (bookworm)")
        #expect(facts.kernel == "6.1.0-18-amd64")
        #expect(facts.cpus == 4)
        #expect(facts.memoryBytes == 16_318_508 * 1024)
        #expect(facts.diskBytes == 105_089_261_568)
        #expect(facts.diskFreeBytes == 90_000_000_000)
        #expect(FactsParser.osReleaseValue("ID", in: "ID='ubuntu'\nID_LIKE=debian") == "ubuntu")
    }
}
