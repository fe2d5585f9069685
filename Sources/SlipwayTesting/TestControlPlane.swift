import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SlipwayCore
import SlipwayEngine
import SlipwayServer
import SlipwayStore

/// A control plane for tests: a fresh store after its first start, the owner's token, and helpers
/// to add a second tenant. `test(_:)` runs the real router in-process or on a live port.
public struct TestControlPlane: Sendable {
    public let testStore: TestStore
    public let backend: Backend
    public let ownerToken: String
    public let organization: Organization

    public var store: any Store { backend.store }

    public static func make(_ kind: StoreKind = .sqlite) async throws -> TestControlPlane {
        let testStore = try await TestStore.make(kind, label: "api")
        guard let first = try await FirstStart.runIfNeeded(store: testStore.store, dataDirectory: testStore.directory)
        else {
            throw SlipwayError(.internal, code: "test_setup", message: "first start did not run on a fresh store")
        }
        let backend = Backend(store: testStore.store, secrets: SecretBox(key: SymmetricKey(size: .bits256)))
        return TestControlPlane(
            testStore: testStore, backend: backend, ownerToken: first.token, organization: first.organization)
    }

    /// Runs `body` with a fresh control plane and removes its store afterwards, whether `body` throws or not.
    public static func with<T>(_ kind: StoreKind = .sqlite, _ body: (TestControlPlane) async throws -> T) async throws
        -> T
    {
        let plane = try await make(kind)
        do {
            let result = try await body(plane)
            await plane.remove()
            return result
        } catch {
            await plane.remove()
            throw error
        }
    }

    /// Runs `body` against the app: in-process through the router, or on a live port.
    public func test<T: Sendable>(
        _ mode: TestingSetup = .router, _ body: @Sendable (any TestClientProtocol) async throws -> T
    ) async throws -> T {
        let app = ControlPlane.makeApplication(
            backend: backend, host: "127.0.0.1", port: 0, logger: Logger(label: "slipway.test"))
        return try await app.test(mode, body)
    }

    public func remove() async { await testStore.remove() }

    /// The same control plane whose routes act on servers through `instances` (for tests that run real
    /// instances with the images built here).
    public func with(instances: InstanceOperations) -> TestControlPlane {
        var backend = backend
        backend.instances = instances
        return TestControlPlane(
            testStore: testStore, backend: backend, ownerToken: ownerToken, organization: organization)
    }

    /// The same control plane with local backup destinations confined to `backupRoot`, as `serve` has.
    public func with(backupRoot: String) -> TestControlPlane {
        var backend = backend
        backend.backupRoot = backupRoot
        return TestControlPlane(
            testStore: testStore, backend: backend, ownerToken: ownerToken, organization: organization)
    }

    /// A new user who owns a new organization, and their personal token.
    public func makeTenant(slug: String, role: SystemRole = .owner) async throws -> (
        organization: Organization, user: User, token: String
    ) {
        let user = User(name: "User \(slug)", email: "\(slug)-\(UUID().uuidString.prefix(8))@example.test")
        let organization = Organization(name: "Org \(slug)", slug: slug)
        try await store.createUser(user)
        try await store.createOrganization(organization, ownerId: user.id)
        if role != .owner {
            _ = try await store.updateMemberRole(organizationId: organization.id, userId: user.id, role: role.rawValue)
        }
        let token = try await personalToken(for: user)
        return (organization, user, token)
    }

    /// A new user who joins `organization` with `role`, and their personal token.
    public func makeMember(of organization: Organization, role: String) async throws -> (user: User, token: String) {
        let user = User(name: "Member \(role)", email: "\(role)-\(UUID().uuidString.prefix(8))@example.test")
        try await store.createUser(user)
        try await store.addMember(organizationId: organization.id, userId: user.id, role: role)
        return (user, try await personalToken(for: user))
    }

    /// An API key of `organization` holding exactly `permissions`, made through the store.
    public func makeAPIKey(in organization: Organization, permissions: [Permission], expiresAt: Date? = nil)
        async throws -> String
    {
        let secret = TokenSecret.make(kind: .apiKey)
        let key = APIToken(
            kind: .apiKey, name: "test key", prefix: TokenSecret.displayPrefix(secret), organizationId: organization.id,
            userId: nil,
            permissions: permissions, expiresAt: expiresAt)
        try await store.createToken(key, secretHash: TokenSecret.hash(secret))
        return secret
    }

    private func personalToken(for user: User) async throws -> String {
        let secret = TokenSecret.make(kind: .personal)
        let token = APIToken(
            kind: .personal, name: "test", prefix: TokenSecret.displayPrefix(secret), organizationId: nil,
            userId: user.id)
        try await store.createToken(token, secretHash: TokenSecret.hash(secret))
        return secret
    }
}
