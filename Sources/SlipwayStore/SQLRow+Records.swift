import Foundation
import SlipwayCore

// Reading domain records out of rows. Column names are the tables' snake_case.

extension Organization {
    init(_ row: SQLRow) throws {
        self.init(
            id: try row.string("id"), name: try row.string("name"), slug: try row.string("slug"),
            createdAt: try row.date("created_at"))
    }
}

extension User {
    init(_ row: SQLRow) throws {
        self.init(
            id: try row.string("id"), name: try row.string("name"), email: try row.string("email"),
            createdAt: try row.date("created_at"))
    }
}

extension Member {
    init(_ row: SQLRow) throws {
        self.init(
            organizationId: try row.string("organization_id"), userId: try row.string("user_id"),
            role: try row.string("role"),
            userName: try row.string("user_name"), email: try row.string("email"), createdAt: try row.date("created_at")
        )
    }
}

extension Role {
    init(_ row: SQLRow) throws {
        self.init(
            id: try row.string("id"), organizationId: try row.string("organization_id"), name: try row.string("name"),
            permissions: try row.permissions("permissions"), createdAt: try row.date("created_at"))
    }
}

extension APIToken {
    init(_ row: SQLRow) throws {
        self.init(
            id: try row.string("id"), kind: try row.enum("kind"), name: try row.string("name"),
            prefix: try row.string("prefix"),
            organizationId: try row.optionalString("organization_id"), userId: try row.optionalString("user_id"),
            permissions: try row.permissions("permissions"), role: try row.optionalString("role"),
            expiresAt: try row.optionalDate("expires_at"), revokedAt: try row.optionalDate("revoked_at"),
            lastUsedAt: try row.optionalDate("last_used_at"), createdAt: try row.date("created_at"))
    }
}

extension Server {
    init(_ row: SQLRow) throws {
        self.init(
            id: try row.string("id"), organizationId: try row.string("organization_id"), name: try row.string("name"),
            host: try row.string("host"), port: try row.int("port"), user: try row.string("ssh_user"),
            authMethod: try row.enum("auth_method"), status: try row.enum("status"),
            statusReason: try row.optionalString("status_reason"),
            hostKeyFingerprint: try row.optionalString("host_key_fingerprint"),
            allowDockerInstall: try row.bool("allow_docker_install"),
            dockerSocketPath: try row.string("docker_socket_path"), registryPort: try row.int("registry_port"),
            proxyAdminPort: try row.int("proxy_admin_port"), proxyHTTPPort: try row.int("proxy_http_port"),
            facts: try row.optionalString("facts").map {
                try JSONDecoder.store.decode(ServerFacts.self, from: Data($0.utf8))
            },
            provisioningSteps: try row.json("provisioning_steps", decoder: .store),
            lastCheckedAt: try row.optionalDate("last_checked_at"),
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}

extension Project {
    init(_ row: SQLRow, branchMappings: [BranchMapping]) throws {
        self.init(
            id: try row.string("id"), organizationId: try row.string("organization_id"), name: try row.string("name"),
            repoUrl: try row.string("repo_url"), kind: try row.enum("kind"), branchMappings: branchMappings,
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}

extension BranchMapping {
    init(_ row: SQLRow) throws {
        self.init(
            branchPattern: try row.string("branch_pattern"), environmentId: try row.string("environment_id"),
            priority: try row.int("priority"))
    }
}

extension Environment {
    init(_ row: SQLRow) throws {
        self.init(
            id: try row.string("id"), organizationId: try row.string("organization_id"),
            projectId: try row.string("project_id"),
            name: try row.string("name"), type: try row.enum("type"), branch: try row.string("branch"),
            autoDeploy: try row.bool("auto_deploy"), healthCheckTimeoutSeconds: try row.int("health_check_timeout"),
            moduleUpdate: try row.enum("module_update"),
            moduleUpdateModules: try row.string("module_update_modules").split(separator: ",").map(String.init),
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}

extension Instance {
    init(_ row: SQLRow, secretNames: [String] = []) throws {
        self.init(
            id: try row.string("id"), organizationId: try row.string("organization_id"),
            projectId: try row.string("project_id"),
            environmentId: try row.string("environment_id"), serverId: try row.string("server_id"),
            name: try row.string("name"), kind: try row.enum("kind"),
            status: try row.enum("status"), statusReason: try row.optionalString("status_reason"),
            activeColor: try row.optionalString("active_color").flatMap(Instance.Color.init),
            port: try row.optionalInt("port"), healthPath: try row.optionalString("health_path"),
            image: try row.optionalString("image"), domains: try row.json("domains"), env: try row.json("env"),
            secretNames: secretNames,
            hostPorts: try row.optionalInt("blue_port").flatMap { blue in
                try row.optionalInt("green_port").map { Instance.HostPorts(blue: blue, green: $0) }
            },
            databaseName: try row.optionalString("database_name"), lastLogLines: try row.json("last_log_lines"),
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}

extension Deployment {
    init(_ row: SQLRow, steps: [Step]) throws {
        self.init(
            id: try row.string("id"), organizationId: try row.string("organization_id"),
            projectId: try row.string("project_id"),
            environmentId: try row.string("environment_id"), instanceId: try row.optionalString("instance_id"),
            triggerType: try row.enum("trigger_type"), branch: try row.optionalString("branch"),
            commitSha: try row.optionalString("commit_sha"), tag: try row.optionalString("tag"),
            commitMessage: try row.optionalString("commit_message"),
            commitAuthor: try row.optionalString("commit_author"),
            status: try row.enum("status"), snapshotId: try row.optionalString("snapshot_id"),
            activeColor: try row.optionalString("active_color").flatMap(Instance.Color.init),
            imageDigest: try row.optionalString("image_digest"), durationMs: try row.optionalInt("duration_ms"),
            error: try row.optionalString("error"), steps: steps,
            targets: try JSONDecoder().decode([Deployment.Target].self, from: Data(try row.string("targets").utf8)),
            rollbackOf: try row.optionalString("rollback_of"), cancelRequested: try row.int("cancel_requested") != 0,
            createdAt: try row.date("created_at"), startedAt: try row.optionalDate("started_at"),
            completedAt: try row.optionalDate("completed_at"))
    }
}

extension Step {
    init(_ row: SQLRow) throws {
        self.init(
            name: try row.enum("name"), status: try row.enum("status"), output: try row.string("output"),
            durationMs: try row.optionalInt("duration_ms"), startedAt: try row.optionalDate("started_at"),
            completedAt: try row.optionalDate("completed_at"))
    }
}

extension Snapshot {
    init(_ row: SQLRow) throws {
        self.init(
            id: try row.string("id"), organizationId: try row.string("organization_id"),
            environmentId: try row.string("environment_id"), instanceId: try row.string("instance_id"),
            kind: try row.enum("kind"),
            status: try row.enum("status"), statusReason: try row.optionalString("status_reason"),
            sizeBytes: try row.int("size_bytes"), databaseBytes: try row.optionalInt("database_bytes"),
            databaseSha256: try row.optionalString("database_sha256"),
            filestoreBytes: try row.optionalInt("filestore_bytes"),
            filestoreSha256: try row.optionalString("filestore_sha256"), pinned: try row.bool("pinned"),
            location: try row.optionalString("location"), createdAt: try row.date("created_at"),
            completedAt: try row.optionalDate("completed_at"))
    }
}

extension AuditEntry {
    init(_ row: SQLRow) throws {
        self.init(
            id: try row.string("id"), organizationId: try row.string("organization_id"),
            actorId: try row.optionalString("actor_id"),
            actorName: try row.string("actor_name"), action: try row.string("action"),
            resource: try row.string("resource"),
            resourceId: try row.optionalString("resource_id"), result: try row.int("result"),
            ip: try row.optionalString("ip"),
            userAgent: try row.optionalString("user_agent"), requestId: try row.string("request_id"),
            createdAt: try row.date("created_at"))
    }
}

extension SQLRow {
    func permissions(_ column: String) throws -> [Permission] {
        try json(column, as: [String].self).map { text in
            guard let permission = Permission(string: text) else {
                throw SQLError.decoding("unknown permission '\(text)'")
            }
            return permission
        }
    }
}

extension Restore {
    init(_ row: SQLRow) throws {
        self.init(
            id: try row.string("id"), organizationId: try row.string("organization_id"),
            environmentId: try row.string("environment_id"), snapshotId: try row.string("snapshot_id"),
            instanceId: try row.string("instance_id"), safetySnapshot: try row.bool("safety_snapshot"),
            safetySnapshotId: try row.optionalString("safety_snapshot_id"), status: try row.enum("status"),
            statusReason: try row.optionalString("status_reason"), steps: try row.json("steps", decoder: .store),
            createdAt: try row.date("created_at"), completedAt: try row.optionalDate("completed_at"))
    }
}

extension BackupDestination {
    init(_ row: SQLRow) throws {
        self.init(
            id: try row.string("id"), organizationId: try row.string("organization_id"), name: try row.string("name"),
            kind: try row.enum("kind"), path: try row.string("path"), host: try row.optionalString("host"),
            port: try row.optionalInt("port"), username: try row.optionalString("username"),
            hostKeyFingerprint: try row.optionalString("host_key_fingerprint"),
            hasPrivateKey: try row.optionalString("encrypted_private_key") != nil,
            createdAt: try row.date("created_at"))
    }
}

extension BackupSchedule {
    init(_ row: SQLRow) throws {
        self.init(
            id: try row.string("id"), organizationId: try row.string("organization_id"),
            environmentId: try row.string("environment_id"), instanceId: try row.optionalString("instance_id"),
            cron: try row.string("cron"), destinationId: try row.string("destination_id"),
            retention: BackupRetention(
                keepDaily: try row.int("keep_daily"), keepWeekly: try row.int("keep_weekly"),
                keepMonthly: try row.int("keep_monthly")),
            verifyAfterBackup: try row.bool("verify_after_backup"), enabled: try row.bool("enabled"),
            status: try row.enum("status"), statusReason: try row.optionalString("status_reason"),
            lastDueAt: try row.optionalDate("last_due_at"), lastRunAt: try row.optionalDate("last_run_at"),
            lastBackupId: try row.optionalString("last_backup_id"), nextRunAt: try row.optionalDate("next_run_at"),
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}

extension Backup {
    init(_ row: SQLRow) throws {
        self.init(
            id: try row.string("id"), organizationId: try row.string("organization_id"),
            environmentId: try row.string("environment_id"), instanceId: try row.string("instance_id"),
            scheduleId: try row.optionalString("schedule_id"), snapshotId: try row.optionalString("snapshot_id"),
            destinationId: try row.string("destination_id"), status: try row.enum("status"),
            statusReason: try row.optionalString("status_reason"), sizeBytes: try row.int("size_bytes"),
            databaseBytes: try row.optionalInt("database_bytes"),
            databaseSha256: try row.optionalString("database_sha256"),
            filestoreBytes: try row.optionalInt("filestore_bytes"),
            filestoreSha256: try row.optionalString("filestore_sha256"), location: try row.optionalString("location"),
            verifiedAt: try row.optionalDate("verified_at"),
            drillStatus: try row.optionalString("drill_status").map { _ in try row.enum("drill_status") },
            drillReport: try row.optionalString("drill_report"), drillAt: try row.optionalDate("drill_at"),
            createdAt: try row.date("created_at"), completedAt: try row.optionalDate("completed_at"))
    }
}

extension Alert {
    init(_ row: SQLRow) throws {
        self.init(
            id: try row.string("id"), organizationId: try row.string("organization_id"),
            environmentId: try row.string("environment_id"), kind: try row.enum("kind"),
            subjectId: try row.string("subject_id"), message: try row.string("message"),
            createdAt: try row.date("created_at"), resolvedAt: try row.optionalDate("resolved_at"))
    }
}

extension SnapshotRetention {
    init(_ row: SQLRow) throws {
        self.init(
            keepLast: try row.optionalInt("snapshot_keep_last"), keepDays: try row.optionalInt("snapshot_keep_days"))
    }
}

extension DeployKey {
    init(_ row: SQLRow) throws {
        self.init(
            projectId: try row.string("project_id"), publicKey: try row.string("public_key"),
            fingerprint: try row.string("fingerprint"), createdAt: try row.date("created_at"))
    }
}

extension WebhookEndpoint {
    init(_ row: SQLRow) throws {
        self.init(
            id: try row.string("id"), organizationId: try row.string("organization_id"),
            projectId: try row.string("project_id"), provider: try row.enum("provider"),
            createdAt: try row.date("created_at"), secretSetAt: try row.date("secret_set_at"))
    }
}

extension WebhookDelivery {
    init(_ row: SQLRow) throws {
        self.init(
            id: try row.string("id"), organizationId: try row.string("organization_id"),
            projectId: try row.string("project_id"), provider: try row.enum("provider"),
            event: try row.optionalString("event"), deliveryId: try row.optionalString("delivery_id"),
            branch: try row.optionalString("branch"), tag: try row.optionalString("tag"),
            commitSha: try row.optionalString("commit_sha"), verdict: try row.enum("verdict"),
            reason: try row.optionalString("reason"), deploymentId: try row.optionalString("deployment_id"),
            receivedAt: try row.date("received_at"))
    }
}
