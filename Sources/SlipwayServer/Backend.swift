import Foundation
import Logging
import SlipwayCore
import SlipwayEngine
import SlipwayStore

/// What the routes work with, passed in rather than reached for globally.
public struct Backend: Sendable {
    public var store: any Store
    public var secrets: SecretBox
    public var metrics: MetricsRegistry
    public var clock: @Sendable () -> Date
    /// What routes that act on a server at once (an instance's logs) work through.
    public var instances: InstanceOperations
    /// Snapshots of instances, through the same operations.
    public var snapshots: SnapshotOperations { SnapshotOperations(instances: instances) }
    /// The one directory (and below) local backup destinations may use; nil allows any (tests only).
    public var backupRoot: String?
    /// Backups of instances to their destinations, through the same snapshots.
    public var backups: BackupOperations { BackupOperations(snapshots: snapshots, localRoot: backupRoot) }

    public init(
        store: any Store, secrets: SecretBox, metrics: MetricsRegistry = MetricsRegistry(),
        clock: @escaping @Sendable () -> Date = { Date() }, instances: InstanceOperations? = nil,
        backupRoot: String? = nil
    ) {
        self.backupRoot = backupRoot
        self.store = store
        self.secrets = secrets
        self.instances = instances ?? InstanceOperations(store: store, secrets: secrets, ssh: SSHServerConnector())
        self.metrics = metrics
        self.clock = clock
    }
}
