import Foundation
import Logging
import SlipwayCore
import SlipwayEngine
import SlipwayStore
import SlipwayTesting
import Synchronization
import Testing

@Suite("Durable job queue")
struct JobQueueTests {
    static func organization(_ store: any Store) async throws -> Organization {
        let user = User(name: "Owner", email: "owner-\(UUID().uuidString.prefix(6))@example.test")
        try await store.createUser(user)
        let organization = Organization(name: "Acme", slug: "acme-\(UUID().uuidString.prefix(6).lowercased())")
        try await store.createOrganization(organization, ownerId: user.id)
        return organization
    }

    @Test("concurrent workers claim every job exactly once", arguments: StoreKind.allCases)
    func exclusiveClaims(kind: StoreKind) async throws {
        try await TestStore.with(kind, label: "jobs") { store in
            let organization = try await Self.organization(store)
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            for index in 0..<60 {
                try await store.enqueueJob(
                    Job(
                        organization: organization, subject: "srv_\(index)",
                        createdAt: start.addingTimeInterval(Double(index))))
            }
            let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
                for worker in 0..<4 {
                    group.addTask {
                        var mine: [String] = []
                        while let job = try await store.claimJob(
                            kinds: [.serverVerify], owner: "w\(worker)", lease: 60, now: Date())
                        {
                            mine.append(job.subjectId)
                        }
                        return mine
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(claimed.count == 60)
            #expect(Set(claimed).count == 60)
            #expect(try await store.jobStatusCounts()[.running] == 60)
        }
    }

    @Test(
        "a job whose worker stopped renewing is claimed again; the old worker cannot finish it",
        arguments: StoreKind.allCases)
    func leaseExpiry(kind: StoreKind) async throws {
        try await TestStore.with(kind, label: "jobs") { store in
            let organization = try await Self.organization(store)
            try await store.enqueueJob(Job(organization: organization, subject: "srv_1"))
            let now = Date()
            let first = try #require(
                try await store.claimJob(kinds: [.serverVerify], owner: "dead", lease: 5, now: now))
            #expect(
                try await store.claimJob(
                    kinds: [.serverVerify], owner: "other", lease: 5, now: now.addingTimeInterval(1)) == nil)
            let second = try #require(
                try await store.claimJob(
                    kinds: [.serverVerify], owner: "other", lease: 5, now: now.addingTimeInterval(6)))
            #expect(second.id == first.id)
            #expect(second.attempts == 2)
            #expect(try await !store.finishJob(id: first.id, owner: "dead", status: .completed, error: nil, at: Date()))
            #expect(try await !store.renewJobLease(id: first.id, owner: "dead", until: Date().addingTimeInterval(60)))
            #expect(try await store.finishJob(id: first.id, owner: "other", status: .completed, error: nil, at: Date()))
            #expect(
                try await store.jobs(organizationId: organization.id, subjectId: "srv_1").first?.status == .completed)
        }
    }

    @Test("jobs sharing a concurrency key run one at a time, oldest first", arguments: StoreKind.allCases)
    func concurrencyKey(kind: StoreKind) async throws {
        try await TestStore.with(kind, label: "jobs") { store in
            let organization = try await Self.organization(store)
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            for (index, key) in ["env_a", "env_a", "env_b"].enumerated() {
                try await store.enqueueJob(
                    Job(
                        organization: organization, subject: "job\(index)", key: key,
                        createdAt: start.addingTimeInterval(Double(index))))
            }
            let now = Date()
            let first = try #require(try await store.claimJob(kinds: [.serverVerify], owner: "w", lease: 60, now: now))
            let second = try #require(try await store.claimJob(kinds: [.serverVerify], owner: "w", lease: 60, now: now))
            #expect([first.subjectId, second.subjectId] == ["job0", "job2"])
            #expect(try await store.claimJob(kinds: [.serverVerify], owner: "w", lease: 60, now: now) == nil)
            #expect(try await store.finishJob(id: first.id, owner: "w", status: .completed, error: nil, at: now))
            #expect(
                try await store.claimJob(kinds: [.serverVerify], owner: "w", lease: 60, now: now)?.subjectId == "job1")
        }
    }

    @Test("the runner runs queued jobs, records failures, and keeps going")
    func runner() async throws {
        try await TestStore.with(.sqlite, label: "jobs") { store in
            let organization = try await Self.organization(store)
            let handler = RecordingHandler()
            let runner = JobRunner(
                store: store, handlers: [handler],
                // A lease far longer than a job: on a loaded machine a 3 s lease ran out and a job ran twice.
                configuration: .init(owner: "test", lease: 30, pollInterval: .milliseconds(20), maxConcurrent: 2),
                logger: Logger(label: "test"))
            for index in 0..<6 {
                try await store.enqueueJob(Job(organization: organization, subject: index == 3 ? "fail" : "ok\(index)"))
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await runner.run() }
                let deadline = ContinuousClock.now + .seconds(20)
                while try await (store.jobStatusCounts()[.completed] ?? 0) + (store.jobStatusCounts()[.failed] ?? 0)
                    < 6,
                    ContinuousClock.now < deadline
                {
                    try await Task.sleep(for: .milliseconds(50))
                }
                group.cancelAll()
            }
            let counts = try await store.jobStatusCounts()
            #expect(counts[.completed] == 5)
            #expect(counts[.failed] == 1)
            #expect(handler.seen.count == 6)
            #expect(handler.peak <= 2)
            let failed = try await store.jobs(organizationId: organization.id, subjectId: "fail")
            #expect(failed.first?.error?.contains("told to fail") == true)
        }
    }
}

extension Job {
    init(organization: Organization, subject: String, key: String? = nil, createdAt: Date = Date()) {
        self.init(
            organizationId: organization.id, kind: .serverVerify, subjectId: subject, concurrencyKey: key,
            createdAt: createdAt)
    }
}

/// A handler that records what it ran and how many ran at once, failing on the subject "fail".
final class RecordingHandler: JobHandler {
    let kind = Job.Kind.serverVerify
    private let state = Mutex((seen: [String](), running: 0, peak: 0))

    var seen: [String] { state.withLock { $0.seen } }
    var peak: Int { state.withLock { $0.peak } }

    struct Told: Error, CustomStringConvertible {
        var description: String { "told to fail" }
    }

    func run(_ job: Job) async throws {
        state.withLock {
            $0.seen.append(job.subjectId)
            $0.running += 1
            $0.peak = max($0.peak, $0.running)
        }
        defer { state.withLock { $0.running -= 1 } }
        try await Task.sleep(for: .milliseconds(100))
        if job.subjectId == "fail" { throw Told() }
    }
}
