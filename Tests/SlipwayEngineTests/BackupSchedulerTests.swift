import Foundation
import Logging
import SlipwayCore
import SlipwayEngine
import SlipwayStore
import SlipwayTesting
import Testing

/// The scheduler against a real store: when it queues backups, when it raises a missed alert, and that
/// one due time is taken up once however many control planes look.
@Suite("Backup scheduler")
struct BackupSchedulerTests {
    struct Fixture {
        let store: any Store
        let instance: Instance
        let schedule: BackupSchedule
    }

    /// An environment with one instance record and an hourly schedule whose last due time was `lastDue`.
    static func fixture(_ store: any Store, lastDue: Date) async throws -> Fixture {
        let organization = try await JobQueueTests.organization(store)
        let server = Server(
            organizationId: organization.id, name: "box", host: "localhost", port: 0, user: "root", authMethod: .local)
        try await store.createServer(server, encryptedCredential: nil)
        let project = Project(
            organizationId: organization.id, name: "app", repoUrl: "https://git.example.test/a.git", kind: .generic)
        try await store.createProject(project)
        let environment = SlipwayCore.Environment(
            organizationId: organization.id, projectId: project.id, name: "Production", type: .production,
            branch: "main")
        try await store.createEnvironment(environment)
        let instance = try await store.createInstance(
            Instance(
                organizationId: organization.id, projectId: project.id, environmentId: environment.id,
                serverId: server.id, name: "web", kind: .generic, status: .running, port: 8080, healthPath: "/"),
            encryptedDatabasePassword: nil)
        let destination = BackupDestination(organizationId: organization.id, name: "here", kind: .local, path: "/tmp")
        try await store.createBackupDestination(destination, encryptedPrivateKey: nil, encryptedPassphrase: nil)
        let schedule = BackupSchedule(
            organizationId: organization.id, environmentId: environment.id, cron: "hourly",
            destinationId: destination.id, lastDueAt: lastDue, createdAt: lastDue.addingTimeInterval(-60))
        try await store.createBackupSchedule(schedule)
        return Fixture(store: store, instance: instance, schedule: schedule)
    }

    static let hour = Date(timeIntervalSince1970: Double(1_800_000_000 - 1_800_000_000 % 3600))

    static func scheduler(_ store: any Store) -> BackupScheduler {
        BackupScheduler(store: store, logger: Logger(label: "test.scheduler"))
    }

    @Test("a backup due now is queued once, on time, with no alert", arguments: StoreKind.allCases)
    func onTime(kind: StoreKind) async throws {
        try await TestStore.with(kind, label: "scheduler") { store in
            let fixture = try await Self.fixture(store, lastDue: Self.hour.addingTimeInterval(-3600))
            let now = Self.hour.addingTimeInterval(40)
            let queued = try await Self.scheduler(store).tick(now: now)
            #expect(queued.map(\.instanceId) == [fixture.instance.id])
            #expect(try await Self.scheduler(store).tick(now: now.addingTimeInterval(30)).isEmpty)
            let jobs = try await store.jobs(organizationId: fixture.instance.organizationId, subjectId: queued[0].id)
            #expect(jobs.map(\.kind) == [.backupRun])
            let schedule = try #require(
                try await store.backupSchedule(organizationId: fixture.instance.organizationId, id: fixture.schedule.id)
            )
            #expect(schedule.lastDueAt == Self.hour)
            #expect(schedule.nextRunAt == Self.hour.addingTimeInterval(3600))
            #expect(schedule.status == .pending)
            let alerts = try await store.alerts(
                organizationId: fixture.instance.organizationId, environmentId: fixture.instance.environmentId,
                includeResolved: true)
            #expect(alerts.isEmpty)
        }
    }

    @Test(
        "times that passed while nothing ran raise a missed alert and a catch-up backup", arguments: StoreKind.allCases)
    func missed(kind: StoreKind) async throws {
        try await TestStore.with(kind, label: "scheduler") { store in
            let fixture = try await Self.fixture(store, lastDue: Self.hour.addingTimeInterval(-3 * 3600))
            let queued = try await Self.scheduler(store).tick(now: Self.hour.addingTimeInterval(20 * 60))
            #expect(queued.count == 1)
            let schedule = try #require(
                try await store.backupSchedule(organizationId: fixture.instance.organizationId, id: fixture.schedule.id)
            )
            #expect(schedule.status == .missed)
            #expect(
                schedule.statusReason?.contains("2 scheduled backups did not run") == true,
                "\(schedule.statusReason ?? "")")
            let alerts = try await store.alerts(
                organizationId: fixture.instance.organizationId, environmentId: fixture.instance.environmentId,
                includeResolved: false)
            #expect(alerts.map(\.kind) == [.backupMissed])
            #expect(alerts.first?.subjectId == fixture.schedule.id)
        }
    }

    @Test("a due time taken up late (the control plane was down) is a missed backup too")
    func late() async throws {
        try await TestStore.with(.sqlite, label: "scheduler") { store in
            let fixture = try await Self.fixture(store, lastDue: Self.hour.addingTimeInterval(-3600))
            _ = try await Self.scheduler(store).tick(now: Self.hour.addingTimeInterval(40 * 60))
            let alerts = try await store.alerts(
                organizationId: fixture.instance.organizationId, environmentId: fixture.instance.environmentId,
                includeResolved: false)
            #expect(alerts.map(\.kind) == [.backupMissed])
            #expect(alerts.first?.message.contains("40 minutes late") == true)
        }
    }

    @Test("two control planes looking at once queue the due backup once", arguments: StoreKind.allCases)
    func racing(kind: StoreKind) async throws {
        try await TestStore.with(kind, label: "scheduler") { store in
            _ = try await Self.fixture(store, lastDue: Self.hour.addingTimeInterval(-3600))
            let now = Self.hour.addingTimeInterval(10)
            async let first = Self.scheduler(store).tick(now: now)
            async let second = Self.scheduler(store).tick(now: now)
            let total = try await first.count + second.count
            #expect(total == 1)
        }
    }

    @Test("what the engine writes on a schedule keeps a user's change made meanwhile", arguments: StoreKind.allCases)
    func noLostUpdate(kind: StoreKind) async throws {
        try await TestStore.with(kind, label: "scheduler") { store in
            let fixture = try await Self.fixture(store, lastDue: Self.hour)
            var stale = fixture.schedule
            var edited = fixture.schedule
            edited.cron = "weekly"
            edited.enabled = false
            _ = try await store.updateBackupSchedule(edited)
            stale.status = .failing
            stale.statusReason = "the backup failed"
            let written = try #require(try await store.updateBackupScheduleState(stale))
            #expect(written.cron == "weekly" && !written.enabled)
            #expect(written.status == .failing && written.statusReason == "the backup failed")
        }
    }
}
