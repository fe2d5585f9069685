import SlipwayCore

/// The steps a deployment runs, in order, for a project's app kind: the module update is only
/// for Odoo and is planned as `skipped` for generic apps, so the record shows every stage.
public enum StepPlan {
    public static func steps(for kind: Project.Kind) -> [Step] {
        Step.Name.allCases.map { name in
            Step(name: name, status: name == .moduleUpdate && kind == .generic ? .skipped : .pending)
        }
    }
}
