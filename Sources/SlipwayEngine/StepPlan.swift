import Foundation
import SlipwayCore

/// The steps a deployment runs, in order, for a project's app kind: the module update is only
/// for Odoo and is planned as `skipped` for generic apps, so the record shows every stage.
public enum StepPlan {
    public static func steps(for kind: Project.Kind) -> [Step] {
        Step.Name.allCases.map { name in
            Step(name: name, status: name == .moduleUpdate && kind == .generic ? .skipped : .pending)
        }
    }

    /// A rollback's steps: a safety snapshot, then the rolled-back deployment's snapshot restored and the
    /// image before it started in the idle colour (`update-container`), checked, switched and drained.
    /// Nothing is cloned, built, pushed or updated: the image exists, by digest.
    public static func rollbackSteps() -> [Step] {
        let skipped: Set<Step.Name> = [.clone, .build, .push, .moduleUpdate]
        return Step.Name.allCases.map { Step(name: $0, status: skipped.contains($0) ? .skipped : .pending) }
    }

    /// The rollback of `release`, queued: each of its instances gets back the image it ran before it (by
    /// digest), with `release`'s pre-deploy snapshot.
    public static func rollback(of release: Deployment, at date: Date = Date()) -> Deployment {
        Deployment(
            organizationId: release.organizationId, projectId: release.projectId,
            environmentId: release.environmentId, instanceId: release.instanceId, triggerType: .rollback,
            steps: rollbackSteps(),
            targets: release.targets.map { .init(instanceId: $0.instanceId, image: $0.previousImage) },
            rollbackOf: release.id, createdAt: date)
    }
}
