import SlipwayCore

extension Schemas {
    /// The shapes of deployments: the record, its steps and its targets.
    static let deploymentComponents: [String: Schema] = [
        "Step": .object(
            properties: [
                "name": .enumeration(Step.Name.self), "status": .enumeration(Step.Status.self), "output": .string,
                "durationMs": .integer(minimum: 0), "startedAt": .dateTime, "completedAt": .dateTime,
            ], required: ["name", "status", "output"]),
        "DeploymentTarget": .object(
            properties: [
                "instanceId": id, "snapshotId": id, "previousImage": .string,
                "previousColor": .enumeration(Instance.Color.self), "image": .string,
                "color": .enumeration(Instance.Color.self), "databaseTouched": .boolean,
            ], required: ["instanceId", "databaseTouched"]),
        "Deployment": .object(
            properties: [
                "id": id, "organizationId": id, "projectId": id, "environmentId": id, "instanceId": id,
                "triggerType": .enumeration(Deployment.TriggerType.self), "branch": .string, "commitSha": .string,
                "tag": .string, "commitMessage": .string, "commitAuthor": .string,
                "status": .enumeration(Deployment.Status.self), "snapshotId": id,
                "activeColor": .enumeration(Instance.Color.self), "imageDigest": .string,
                "durationMs": .integer(minimum: 0), "error": .string, "steps": .array(.reference("Step")),
                "targets": .array(.reference("DeploymentTarget")), "rollbackOf": id, "cancelRequested": .boolean,
                "createdAt": .dateTime, "startedAt": .dateTime, "completedAt": .dateTime,
            ],
            required: [
                "id", "organizationId", "projectId", "environmentId", "triggerType", "status", "steps", "targets",
                "cancelRequested", "createdAt",
            ]),
    ]

    /// The body of `POST /api/projects/{projectId}/deploy` (`DeployRequest`): at least one of branch,
    /// commitSha and tag, which the schema cannot say and `DeployRequest.validate()` checks.
    static let deployRequest = Schema.object(properties: [
        "branch": .string(minLength: 1, maxLength: 255),
        "commitSha": .string(minLength: 4, maxLength: 40, pattern: "^[0-9a-fA-F]{4,40}$"),
        "tag": .string(minLength: 1, maxLength: 255), "instanceId": .string(minLength: 1, maxLength: 64),
    ])

    /// The body of `POST /api/projects/{projectId}/rollback`.
    static let rollbackRequest = Schema.object(properties: ["deploymentId": id], required: ["deploymentId"])
}
