import SlipwayCore

/// Does the work of one kind of job. The runner holds the job's lease while `run` works; when the
/// lease is lost (another worker took over after this one stalled), `run`'s task is cancelled.
public protocol JobHandler: Sendable {
    var kind: Job.Kind { get }
    /// Does the job. Throwing marks it failed with the error's description; cancellation leaves it
    /// for another worker to pick up, so handlers must be safe to run again (idempotent steps).
    func run(_ job: Job) async throws
}
