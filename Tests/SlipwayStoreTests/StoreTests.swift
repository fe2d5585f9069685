import Foundation
import SlipwayCore
import SlipwayStore
import SlipwayTesting
import Testing

/// The store suite: every test runs on SQLite and on PostgreSQL.
@Suite("Store", .tags(.postgres))
struct StoreTests {
    @Test("first start writes everything or nothing, once", arguments: StoreKind.allCases)
    func bootstrapOnce(kind: StoreKind) async throws {
        try await TestStore.with(kind) { store in
            #expect(try await store.isEmpty())
            let owner = User(name: "Owner", email: "o@example.test")
            let organization = Organization(name: "Default", slug: "default")
            let token = APIToken(kind: .personal, name: "t", prefix: "slp_x", organizationId: nil, userId: owner.id)
            let local = Server(
                organizationId: organization.id, name: "local", host: "localhost", port: 0, user: "root",
                authMethod: .local)
            #expect(
                try await store.bootstrap(
                    owner: owner, organization: organization, token: token, secretHash: "h1", localServer: local))
            #expect(try await !store.isEmpty())
            let again = User(name: "Other", email: "x@example.test")
            let second = try await store.bootstrap(
                owner: again, organization: Organization(name: "Two", slug: "two"),
                token: APIToken(kind: .personal, name: "t", prefix: "p", organizationId: nil, userId: again.id),
                secretHash: "h2", localServer: nil)
            #expect(!second)
            #expect(try await store.user(id: again.id) == nil)
            #expect(try await store.organization(slug: "two") == nil)
            #expect(try await store.member(organizationId: organization.id, userId: owner.id)?.role == "owner")
            #expect(try await store.token(secretHash: "h1")?.userId == owner.id)
            #expect(try await store.servers(organizationId: organization.id).map(\.authMethod) == [.local])
        }
    }

    @Test("a taken slug is a conflict naming the field, and leaves nothing behind", arguments: StoreKind.allCases)
    func slugConflict(kind: StoreKind) async throws {
        try await TestStore.with(kind) { store in
            let user = User(name: "U", email: "u@example.test")
            try await store.createUser(user)
            try await store.createOrganization(Organization(name: "A", slug: "acme"), ownerId: user.id)
            let clash = Organization(name: "B", slug: "acme")
            await #expect(throws: SlipwayError.conflict("slug", "an organization with the slug 'acme' already exists"))
            {
                try await store.createOrganization(clash, ownerId: user.id)
            }
            #expect(try await store.organizations(userId: user.id).map(\.slug) == ["acme"])
            #expect(try await store.organization(id: clash.id) == nil)
        }
    }

    @Test("the last owner can be neither demoted nor removed", arguments: StoreKind.allCases)
    func lastOwner(kind: StoreKind) async throws {
        try await TestStore.with(kind) { store in
            let (owner, second) = (User(name: "O", email: "o@example.test"), User(name: "S", email: "s@example.test"))
            try await store.createUser(owner)
            try await store.createUser(second)
            let organization = Organization(name: "Acme", slug: "acme")
            try await store.createOrganization(organization, ownerId: owner.id)
            try await store.addMember(organizationId: organization.id, userId: second.id, role: "developer")
            await #expect(throws: SlipwayError.self) {
                _ = try await store.updateMemberRole(organizationId: organization.id, userId: owner.id, role: "admin")
            }
            await #expect(throws: SlipwayError.self) {
                _ = try await store.removeMember(organizationId: organization.id, userId: owner.id)
            }
            #expect(try await store.member(organizationId: organization.id, userId: owner.id)?.role == "owner")
            _ = try await store.updateMemberRole(organizationId: organization.id, userId: second.id, role: "owner")
            #expect(
                try await store.updateMemberRole(organizationId: organization.id, userId: owner.id, role: "viewer")?
                    .role == "viewer")
            #expect(try await store.removeMember(organizationId: organization.id, userId: owner.id))
            #expect(try await store.members(organizationId: organization.id).map(\.userId) == [second.id])
        }
    }

    @Test("records of one organization are not found through another", arguments: StoreKind.allCases)
    func tenantScoping(kind: StoreKind) async throws {
        try await TestStore.with(kind) { store in
            let fixture = try await Fixture.make(store)
            let other = Organization(name: "Other", slug: "other")
            try await store.createOrganization(other, ownerId: fixture.user.id)
            #expect(try await store.project(organizationId: other.id, id: fixture.project.id) == nil)
            #expect(try await store.projects(organizationId: other.id).isEmpty)
            #expect(try await store.server(organizationId: other.id, id: fixture.server.id) == nil)
            #expect(try await store.environment(organizationId: other.id, id: fixture.environment.id) == nil)
            #expect(try await store.instance(organizationId: other.id, id: fixture.instance.id) == nil)
            #expect(
                try await store.deployments(
                    organizationId: other.id, projectId: fixture.project.id, page: PageRequest()
                ) == nil)
            #expect(try await !store.deleteProject(organizationId: other.id, id: fixture.project.id))
            #expect(try await store.project(organizationId: fixture.organization.id, id: fixture.project.id) != nil)
        }
    }

    @Test("projects keep their branch mappings, which must point into the project", arguments: StoreKind.allCases)
    func branchMappings(kind: StoreKind) async throws {
        try await TestStore.with(kind) { store in
            let fixture = try await Fixture.make(store)
            var project = fixture.project
            project.branchMappings = [
                BranchMapping(branchPattern: "release/*", environmentId: fixture.environment.id, priority: 5),
                BranchMapping(branchPattern: "main", environmentId: fixture.environment.id, priority: 10),
            ]
            let updated = try await store.updateProject(project)
            #expect(updated?.branchMappings.map(\.branchPattern) == ["main", "release/*"])
            let foreign = Project(
                organizationId: fixture.organization.id, name: "Else", repoUrl: "https://x.test/a.git", kind: .generic)
            try await store.createProject(foreign)
            var bad = foreign
            bad.branchMappings = [BranchMapping(branchPattern: "main", environmentId: fixture.environment.id)]
            await #expect(
                throws: SlipwayError.invalid(
                    "branchMappings[0].environmentId", "no environment '\(fixture.environment.id)' in this project")
            ) {
                _ = try await store.updateProject(bad)
            }
            #expect(
                try await store.project(organizationId: fixture.organization.id, id: foreign.id)?.branchMappings.isEmpty
                    == true)
        }
    }

    @Test("deployments page newest first with the total, steps in pipeline order", arguments: StoreKind.allCases)
    func deploymentPages(kind: StoreKind) async throws {
        try await TestStore.with(kind) { store in
            let fixture = try await Fixture.make(store)
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            for index in 0..<25 {
                try await store.createDeployment(
                    Deployment(
                        organizationId: fixture.organization.id, projectId: fixture.project.id,
                        environmentId: fixture.environment.id, triggerType: .manual, branch: "main",
                        commitSha: String(format: "%040x", index), status: index == 24 ? .running : .completed,
                        createdAt: start.addingTimeInterval(Double(index))))
            }
            let firstPage = try await store.deployments(
                organizationId: fixture.organization.id, projectId: fixture.project.id,
                page: try PageRequest(limit: 10, offset: 0))
            let first = try #require(firstPage)
            #expect(first.total == 25)
            #expect(first.items.count == 10)
            #expect(first.items.first?.commitSha == String(format: "%040x", 24))
            #expect(first.items.first?.steps.map(\.name) == Step.Name.allCases)
            let last = try await store.deployments(
                organizationId: fixture.organization.id, projectId: fixture.project.id,
                page: try PageRequest(limit: 10, offset: 20))
            #expect(last?.items.map(\.commitSha) == (0..<5).reversed().map { String(format: "%040x", $0) })
            let one = try await store.deployment(organizationId: fixture.organization.id, id: first.items[0].id)
            #expect(one == first.items[0])
            #expect(try await store.deploymentStatusCounts()[.running] == 1)
        }
    }

    @Test("tokens are found by hash only, and revoked keys stay revoked", arguments: StoreKind.allCases)
    func tokens(kind: StoreKind) async throws {
        try await TestStore.with(kind) { store in
            let fixture = try await Fixture.make(store)
            let key = APIToken(
                kind: .apiKey, name: "ci", prefix: "slw_abc", organizationId: fixture.organization.id,
                userId: fixture.user.id,
                permissions: [.view(.projects), .manage(.deployments)],
                expiresAt: Date(timeIntervalSince1970: 2_000_000_000))
            try await store.createToken(key, secretHash: "hash-1")
            let found = try await store.token(secretHash: "hash-1")
            #expect(found?.permissions == [.manage(.deployments), .view(.projects)])
            #expect(found?.expiresAt == key.expiresAt)
            #expect(try await store.token(secretHash: "hash-2") == nil)
            let revoked = try await store.revokeAPIKey(organizationId: fixture.organization.id, id: key.id, at: Date())
            #expect(revoked?.revokedAt != nil)
            #expect(try await store.apiKeys(organizationId: fixture.organization.id).map(\.id) == [key.id])
        }
    }

    @Test("a health check's status write loses to a verification that started meanwhile", arguments: StoreKind.allCases)
    func reachability(kind: StoreKind) async throws {
        try await TestStore.with(kind) { store in
            let fixture = try await Fixture.make(store)
            var server = fixture.server
            server.status = .provisioning
            _ = try await store.updateServer(server)
            let stale = try await store.updateServerReachability(
                organizationId: fixture.organization.id, id: server.id, expected: .active, status: .unreachable,
                reason: "health check: gone", checkedAt: nil)
            #expect(!stale)
            #expect(
                try await store.server(organizationId: fixture.organization.id, id: server.id)?.status == .provisioning)
            server.status = .active
            _ = try await store.updateServer(server)
            let checked = Date(timeIntervalSince1970: 1_800_000_000)
            #expect(
                try await store.updateServerReachability(
                    organizationId: fixture.organization.id, id: server.id, expected: .active, status: .active,
                    reason: nil,
                    checkedAt: checked))
            #expect(
                try await store.server(organizationId: fixture.organization.id, id: server.id)?.lastCheckedAt == checked
            )
        }
    }

    @Test("audit entries filter by actor, action and time", arguments: StoreKind.allCases)
    func audit(kind: StoreKind) async throws {
        try await TestStore.with(kind) { store in
            let fixture = try await Fixture.make(store)
            let base = Date(timeIntervalSince1970: 1_800_000_000)
            for (index, action) in ["POST /api/projects", "DELETE /api/projects/{projectId}", "POST /api/projects"]
                .enumerated()
            {
                try await store.appendAudit(
                    AuditEntry(
                        organizationId: fixture.organization.id, actorId: index == 1 ? "usr_b" : "usr_a",
                        actorName: "a",
                        action: action, resource: "projects", resourceId: nil, result: 201, ip: "127.0.0.1",
                        userAgent: "t",
                        requestId: "req_\(index)", createdAt: base.addingTimeInterval(Double(index) * 60)))
            }
            let page = try PageRequest(limit: 10, offset: 0)
            let posts = try await store.auditEntries(
                organizationId: fixture.organization.id, filter: AuditFilter(action: "POST /api/projects"), page: page)
            #expect(posts.total == 2)
            #expect(posts.items.map(\.requestId) == ["req_2", "req_0"])
            let byActor = try await store.auditEntries(
                organizationId: fixture.organization.id, filter: AuditFilter(actorId: "usr_b"), page: page)
            #expect(byActor.items.map(\.requestId) == ["req_1"])
            let recent = try await store.auditEntries(
                organizationId: fixture.organization.id, filter: AuditFilter(since: base.addingTimeInterval(30)),
                page: page)
            #expect(recent.total == 2)
        }
    }

    @Test("migrations run again on an up-to-date store without change", arguments: StoreKind.allCases)
    func reopen(kind: StoreKind) async throws {
        let testStore = try await TestStore.make(kind)
        let fixture = try await Fixture.make(testStore.store)
        let reopened = try await SQLStore(database: testStore.store.databaseForTesting)
        #expect(
            try await reopened.project(organizationId: fixture.organization.id, id: fixture.project.id)?.name == "Shop")
        await testStore.remove()
    }
}

extension Tag {
    @Tag static var postgres: Self
}

/// One of everything, owned by one organization.
struct Fixture {
    var user: User
    var organization: Organization
    var server: Server
    var project: Project
    var environment: Environment
    var instance: Instance

    static func make(_ store: any Store) async throws -> Fixture {
        let user = User(name: "Owner", email: "owner-\(UUID().uuidString.prefix(6))@example.test")
        try await store.createUser(user)
        let organization = Organization(name: "Acme", slug: "acme-\(UUID().uuidString.prefix(6).lowercased())")
        try await store.createOrganization(organization, ownerId: user.id)
        let server = Server(
            organizationId: organization.id, name: "web1", host: "10.0.0.5", user: "deploy", authMethod: .privateKey)
        try await store.createServer(server, encryptedCredential: "v1:sealed")
        let project = Project(
            organizationId: organization.id, name: "Shop", repoUrl: "https://git.example.test/shop.git", kind: .odoo)
        try await store.createProject(project)
        let environment = Environment(
            organizationId: organization.id, projectId: project.id, name: "Production", type: .production,
            branch: "main")
        try await store.createEnvironment(environment)
        let instance = try await store.createInstance(
            Instance(
                organizationId: organization.id, projectId: project.id, environmentId: environment.id,
                serverId: server.id, name: "web"),
            encryptedDatabasePassword: nil)
        return Fixture(
            user: user, organization: organization, server: server, project: project, environment: environment,
            instance: instance)
    }
}
