import Foundation
import Logging
import SlipwayStore

/// The two engines the store runs on; store tests run once for each.
public enum StoreKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, postgres
    public var description: String { rawValue }
}

/// A fresh store on a temporary SQLite file or a new PostgreSQL database, removed afterwards.
public struct TestStore: Sendable {
    public let store: SQLStore
    public let kind: StoreKind
    public let directory: String
    private let postgresURL: String?

    public static func make(_ kind: StoreKind, label: String = "store") async throws -> TestStore {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "slipway-test-\(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let logger = Logger(label: "slipway.test")
        switch kind {
        case .sqlite:
            let store = try await SQLStore.open(dataDirectory: directory, databaseURL: nil, logger: logger)
            return TestStore(store: store, kind: kind, directory: directory, postgresURL: nil)
        case .postgres:
            let url = try await PostgresTestServer.makeDatabase(label: label)
            let store = try await SQLStore.open(dataDirectory: directory, databaseURL: url, logger: logger)
            return TestStore(store: store, kind: kind, directory: directory, postgresURL: url)
        }
    }

    public func remove() async {
        try? await store.close()
        if let postgresURL { try? await PostgresTestServer.dropDatabase(url: postgresURL) }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs `body` with a fresh store and removes it afterwards, whether `body` throws or not.
    public static func with<T>(_ kind: StoreKind, label: String = "store", _ body: (SQLStore) async throws -> T)
        async throws -> T
    {
        let testStore = try await make(kind, label: label)
        do {
            let result = try await body(testStore.store)
            await testStore.remove()
            return result
        } catch {
            await testStore.remove()
            throw error
        }
    }
}
