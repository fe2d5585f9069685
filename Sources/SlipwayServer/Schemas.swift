import SlipwayCore

/// The response shapes of the API, named as OpenAPI components. They describe what the domain
/// values encode to: optional fields are left out when empty, dates are ISO-8601 strings.
enum Schemas {
    static let id = Schema.string(minLength: 1)
    static let name = Schema.string(minLength: 2, maxLength: 100)
    static let slug = Schema.string(minLength: 3, maxLength: 50, pattern: "^[a-z0-9-]+$")
    static let port = Schema.integer(minimum: 1, maximum: 65535)
    /// An absolute path on the server, one word: `Validation.dockerSocketPath` checks the rest.
    static let dockerSocketPath = Schema.string(minLength: 2, maxLength: 200, pattern: "^/[^\\s:]+$")
    static let permissions = Schema.array(.enumeration(Permission.all.map(\.description)))

    static func list(_ item: String) -> Schema {
        .object(properties: ["items": .array(.reference(item))], required: ["items"])
    }

    static func page(_ item: String) -> Schema {
        .object(
            properties: [
                "items": .array(.reference(item)), "total": .integer(minimum: 0), "limit": .integer, "offset": .integer,
            ],
            required: ["items", "total", "limit", "offset"])
    }

    static let components: [String: Schema] = [
        "Error": .object(
            properties: [
                "error": .object(
                    properties: ["code": .string, "message": .string, "field": .string], required: ["code", "message"])
            ], required: ["error"]),
        "Organization": .object(
            properties: ["id": id, "name": .string, "slug": .string, "createdAt": .dateTime],
            required: ["id", "name", "slug", "createdAt"]),
        "User": .object(
            properties: ["id": id, "name": .string, "email": .string, "createdAt": .dateTime],
            required: ["id", "name", "email", "createdAt"]),
        "Me": .object(
            properties: [
                "user": .reference("User"), "organization": .reference("Organization"), "permissions": permissions,
                "tokenKind": .enumeration(APIToken.Kind.self), "role": .string,
            ], required: ["organization", "permissions", "tokenKind"]),
        "Member": .object(
            properties: [
                "organizationId": id, "userId": id, "role": .string, "userName": .string, "email": .string,
                "createdAt": .dateTime,
            ], required: ["organizationId", "userId", "role", "userName", "email", "createdAt"]),
        "Role": .object(
            properties: [
                "id": id, "name": .string, "permissions": permissions, "system": .boolean, "createdAt": .dateTime,
            ],
            required: ["id", "name", "permissions", "system"]),
        "APIKey": .object(properties: apiKeyProperties, required: apiKeyRequired),
        "CreatedAPIKey": .object(
            properties: apiKeyProperties.merging(["token": .string(minLength: 20)]) { $1 },
            required: apiKeyRequired + ["token"]),
        "Server": .object(
            properties: [
                "id": id, "organizationId": id, "name": .string, "host": .string,
                "port": .integer(minimum: 0, maximum: 65535), "user": .string,
                "authMethod": .enumeration(Server.AuthMethod.self), "status": .enumeration(Server.Status.self),
                "statusReason": .string, "hostKeyFingerprint": .string, "allowDockerInstall": .boolean,
                "dockerSocketPath": .string, "registryPort": port, "proxyAdminPort": port,
                "proxyHTTPPort": port, "facts": .reference("ServerFacts"),
                "provisioningSteps": .array(.reference("ProvisioningStep")),
                "lastCheckedAt": .dateTime, "createdAt": .dateTime, "updatedAt": .dateTime,
            ],
            required: [
                "id", "organizationId", "name", "host", "port", "user", "authMethod", "status", "createdAt",
                "updatedAt", "allowDockerInstall", "dockerSocketPath", "registryPort", "proxyAdminPort",
                "proxyHTTPPort", "provisioningSteps",
            ]),
        "ServerFacts": .object(
            properties: [
                "os": .string, "kernel": .string, "architecture": .string, "cpus": .integer(minimum: 0),
                "memoryBytes": .integer(minimum: 0), "diskBytes": .integer(minimum: 0),
                "diskFreeBytes": .integer(minimum: 0), "dockerVersion": .string, "dockerRunning": .boolean,
            ],
            required: [
                "os", "kernel", "architecture", "cpus", "memoryBytes", "diskBytes", "diskFreeBytes", "dockerRunning",
            ]),
        "ProvisioningStep": .object(
            properties: [
                "name": .enumeration(ProvisioningStep.Name.self), "status": .enumeration(Step.Status.self),
                "output": .string, "startedAt": .dateTime, "completedAt": .dateTime,
            ], required: ["name", "status", "output"]),
        "Job": .object(
            properties: [
                "id": id, "organizationId": id, "kind": .enumeration(Job.Kind.self), "subjectId": id,
                "concurrencyKey": .string, "status": .enumeration(Job.Status.self), "attempts": .integer(minimum: 0),
                "leaseOwner": .string, "leaseExpiresAt": .dateTime, "error": .string, "createdAt": .dateTime,
                "startedAt": .dateTime, "completedAt": .dateTime,
            ], required: ["id", "organizationId", "kind", "subjectId", "status", "attempts", "createdAt"]),
        "BranchMapping": .object(
            properties: ["branchPattern": .string, "environmentId": id, "priority": .integer],
            required: ["branchPattern", "environmentId", "priority"]),
        "Project": .object(
            properties: [
                "id": id, "organizationId": id, "name": .string, "repoUrl": .string,
                "kind": .enumeration(Project.Kind.self),
                "branchMappings": .array(.reference("BranchMapping")), "createdAt": .dateTime, "updatedAt": .dateTime,
            ],
            required: ["id", "organizationId", "name", "repoUrl", "kind", "branchMappings", "createdAt", "updatedAt"]),
        "Environment": .object(
            properties: [
                "id": id, "organizationId": id, "projectId": id, "name": .string,
                "type": .enumeration(Environment.Kind.self),
                "branch": .string, "autoDeploy": .boolean, "healthCheckTimeoutSeconds": .integer(minimum: 5),
                "moduleUpdate": .enumeration(Environment.ModuleUpdatePolicy.self),
                "moduleUpdateModules": .array(.string), "createdAt": .dateTime, "updatedAt": .dateTime,
            ],
            required: [
                "id", "organizationId", "projectId", "name", "type", "branch", "autoDeploy",
                "healthCheckTimeoutSeconds", "moduleUpdate", "moduleUpdateModules", "createdAt", "updatedAt",
            ]),
        "Instance": .object(
            properties: [
                "id": id, "organizationId": id, "projectId": id, "environmentId": id, "serverId": id, "name": .string,
                "status": .enumeration(Instance.Status.self), "activeColor": .enumeration(Instance.Color.self),
                "port": port, "kind": .enumeration(Project.Kind.self), "statusReason": .string,
                "healthPath": .string, "image": .string, "domains": .array(.string), "env": .anyObject,
                "secretNames": .array(.string),
                "hostPorts": .object(properties: ["blue": port, "green": port], required: ["blue", "green"]),
                "databaseName": .string, "lastLogLines": .array(.string), "createdAt": .dateTime,
                "updatedAt": .dateTime,
            ],
            required: [
                "id", "organizationId", "projectId", "environmentId", "serverId", "name", "kind", "status", "domains",
                "env", "secretNames", "lastLogLines", "createdAt", "updatedAt",
            ]),
        "Snapshot": .object(
            properties: [
                "id": id, "organizationId": id, "environmentId": id, "instanceId": id,
                "kind": .enumeration(Snapshot.Kind.self),
                "status": .enumeration(Snapshot.Status.self), "statusReason": .string,
                "sizeBytes": .integer(minimum: 0),
                "databaseSha256": .string, "filestoreSha256": .string, "pinned": .boolean, "location": .string,
                "databaseBytes": .integer(minimum: 0), "filestoreBytes": .integer(minimum: 0),
                "createdAt": .dateTime, "completedAt": .dateTime,
            ],
            required: [
                "id", "organizationId", "environmentId", "instanceId", "kind", "status", "sizeBytes", "pinned",
                "createdAt",
            ]),
        "SnapshotEstimate": .object(
            properties: [
                "databaseBytes": .integer(minimum: 0), "filestoreBytes": .integer(minimum: 0),
                "totalBytes": .integer(minimum: 0),
                "instances": .array(
                    .object(
                        properties: [
                            "instanceId": id, "databaseBytes": .integer(minimum: 0),
                            "filestoreBytes": .integer(minimum: 0),
                        ], required: ["instanceId", "databaseBytes", "filestoreBytes"])),
            ], required: ["databaseBytes", "filestoreBytes", "totalBytes", "instances"]),
        "RestoreStep": .object(
            properties: [
                "name": .string, "status": .enumeration(Step.Status.self), "output": .string,
                "startedAt": .dateTime, "completedAt": .dateTime,
            ], required: ["name", "status", "output"]),
        "Restore": .object(
            properties: [
                "id": id, "organizationId": id, "environmentId": id, "snapshotId": id, "instanceId": id,
                "safetySnapshot": .boolean, "safetySnapshotId": id, "status": .enumeration(Restore.Status.self),
                "statusReason": .string, "steps": .array(.reference("RestoreStep")), "createdAt": .dateTime,
                "completedAt": .dateTime,
            ],
            required: [
                "id", "organizationId", "environmentId", "snapshotId", "instanceId", "safetySnapshot", "status",
                "steps", "createdAt",
            ]),
        "AuditEntry": .object(
            properties: [
                "id": id, "organizationId": id, "actorId": .string, "actorName": .string, "action": .string,
                "resource": .string,
                "resourceId": .string, "result": .integer, "ip": .string, "userAgent": .string, "requestId": .string,
                "createdAt": .dateTime,
            ],
            required: ["id", "organizationId", "actorName", "action", "resource", "result", "requestId", "createdAt"]),
    ].merging(backupComponents) { current, _ in current }.merging(deploymentComponents) { current, _ in current }
        .merging(webhookComponents) { current, _ in current }

    private static let apiKeyProperties: [String: Schema] = [
        "id": id, "kind": .enumeration(APIToken.Kind.self), "name": .string, "prefix": .string, "organizationId": id,
        "userId": id, "permissions": permissions, "role": .string, "expiresAt": .dateTime, "revokedAt": .dateTime,
        "lastUsedAt": .dateTime, "createdAt": .dateTime,
    ]
    private static let apiKeyRequired = ["id", "kind", "name", "prefix", "permissions", "createdAt"]
}
