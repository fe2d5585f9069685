import SlipwayCore
import SlipwayStore

extension Deployment: FollowedRecord {
    /// The last event of a deployment's stream: the whole record, once it has ended.
    static let finalEvent = "deployment"
}

/// A deployment's progress as Server-Sent Events: a `step` event (id: the step's index) for each step as it
/// stands, then one whenever the pipeline changes a step (its status, its output, its timings), and once the
/// deployment has ended (completed, failed or cancelled) a `deployment` event with the whole record, which
/// ends the stream. It reads the stored record every 300 ms, so it follows a deployment any control plane runs.
typealias DeploymentEvents = RecordEvents<Deployment>

extension RecordEvents where Record == Deployment {
    /// The events of `deployment` for a client that has seen its first `seen` steps as they are now.
    init(store: any Store, deployment: Deployment, seen: Int = 0) {
        self.init(
            record: deployment,
            reload: { try await store.deployment(organizationId: deployment.organizationId, id: deployment.id) },
            seen: seen)
    }
}
