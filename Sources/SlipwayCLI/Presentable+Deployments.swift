import Foundation
import SlipwayCore

extension Deployment: Presentable {
    static let plural = "deployments"
    static let columns = ["ID", "TRIGGER", "REF", "COMMIT", "STATUS", "DURATION", "CREATED"]
    var row: [String] {
        [
            id, triggerType.rawValue, ref ?? "-", commitSha.map { String($0.prefix(12)) } ?? "-", status.rawValue,
            duration.map { RestoreWatch.StepLog.duration($0) } ?? "-", Self.date(createdAt) ?? "-",
        ]
    }

    /// Its fields, then one line per step: `clone: completed (3 s)`.
    var details: DetailList {
        let stepLines: [(String, String?)] = steps.map { step in
            var text = step.status.rawValue
            if let duration = step.durationText { text += " (\(duration))" }
            if let last = DeployWatch.Log.outputLines(step.output).last { text += ": " + last }
            return (step.name.rawValue, text)
        }
        let targetText = targets.map { target in
            var text = target.instanceId
            if let image = target.image { text += " \(image)" + (target.color.map { " (\($0.rawValue))" } ?? "") }
            return text
        }
        return DetailList(
            [
                ("id", id), ("status", status.rawValue + (cancelRequested && !hasEnded ? " (cancel requested)" : "")),
                ("trigger", triggerType.rawValue), ("rollbackOf", rollbackOf), ("branch", branch), ("tag", tag),
                ("commit", commitDescription), ("projectId", projectId), ("environmentId", environmentId),
                ("instanceId", instanceId),
                ("targets", targetText.isEmpty ? "none" : targetText.joined(separator: ", ")),
                ("snapshotId", snapshotId), ("activeColor", activeColor?.rawValue), ("imageDigest", imageDigest),
                ("duration", duration.map { RestoreWatch.StepLog.duration($0) }), ("error", error),
                ("createdAt", Self.date(createdAt)), ("startedAt", Self.date(startedAt)),
                ("completedAt", Self.date(completedAt)),
            ] + stepLines)
    }

    /// The branch, tag or commit it was asked to deploy.
    var ref: String? { branch ?? tag ?? commitSha.map { String($0.prefix(12)) } }
}
