import Foundation
import Logging
import SlipwayCore
import SlipwayStore

/// What the routes work with, passed in rather than reached for globally.
public struct Backend: Sendable {
    public var store: any Store
    public var secrets: SecretBox
    public var metrics: MetricsRegistry
    public var clock: @Sendable () -> Date

    public init(
        store: any Store, secrets: SecretBox, metrics: MetricsRegistry = MetricsRegistry(),
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.secrets = secrets
        self.metrics = metrics
        self.clock = clock
    }
}
