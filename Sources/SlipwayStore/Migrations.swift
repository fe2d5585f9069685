import Foundation

/// The schema, as numbered migrations run in order at start. Written in the SQL both SQLite and
/// PostgreSQL accept: TEXT, BIGINT (dates as milliseconds since 1970, booleans as 0/1).
/// Never edit a migration that has shipped; add a new one.
enum Migrations {
    struct Migration {
        var version: Int
        var name: String
        var statements: [String]
    }

    static let all: [Migration] = [
        Migration(
            version: 1, name: "tenants",
            statements: [
                """
                CREATE TABLE organizations (
                    id TEXT PRIMARY KEY, name TEXT NOT NULL, slug TEXT NOT NULL UNIQUE, created_at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE users (
                    id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL UNIQUE, created_at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE roles (
                    id TEXT PRIMARY KEY, organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                    name TEXT NOT NULL, permissions TEXT NOT NULL, created_at BIGINT NOT NULL,
                    UNIQUE (organization_id, name))
                """,
                """
                CREATE TABLE members (
                    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    role TEXT NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (organization_id, user_id))
                """,
                "CREATE INDEX members_user ON members (user_id)",
                """
                CREATE TABLE api_tokens (
                    id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, prefix TEXT NOT NULL,
                    secret_hash TEXT NOT NULL UNIQUE,
                    organization_id TEXT REFERENCES organizations(id) ON DELETE CASCADE,
                    user_id TEXT REFERENCES users(id) ON DELETE CASCADE,
                    permissions TEXT NOT NULL, role TEXT, expires_at BIGINT, revoked_at BIGINT, last_used_at BIGINT,
                    created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX api_tokens_org ON api_tokens (organization_id, created_at)",
                """
                CREATE TABLE audit_logs (
                    id TEXT PRIMARY KEY, organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                    actor_id TEXT, actor_name TEXT NOT NULL, action TEXT NOT NULL, resource TEXT NOT NULL,
                    resource_id TEXT, result BIGINT NOT NULL, ip TEXT, user_agent TEXT, request_id TEXT NOT NULL,
                    created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX audit_logs_org ON audit_logs (organization_id, created_at)",
            ]),
        Migration(
            version: 2, name: "servers and projects",
            statements: [
                """
                CREATE TABLE servers (
                    id TEXT PRIMARY KEY, organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                    name TEXT NOT NULL, host TEXT NOT NULL, port BIGINT NOT NULL, ssh_user TEXT NOT NULL,
                    auth_method TEXT NOT NULL, credential TEXT, status TEXT NOT NULL, status_reason TEXT,
                    host_key_fingerprint TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
                    UNIQUE (organization_id, name))
                """,
                """
                CREATE TABLE projects (
                    id TEXT PRIMARY KEY, organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                    name TEXT NOT NULL, repo_url TEXT NOT NULL, kind TEXT NOT NULL,
                    created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, UNIQUE (organization_id, name))
                """,
                """
                CREATE TABLE environments (
                    id TEXT PRIMARY KEY, organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
                    name TEXT NOT NULL, type TEXT NOT NULL, branch TEXT NOT NULL, auto_deploy BIGINT NOT NULL,
                    created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, UNIQUE (project_id, name))
                """,
                """
                CREATE TABLE branch_mappings (
                    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
                    branch_pattern TEXT NOT NULL,
                    environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
                    priority BIGINT NOT NULL, PRIMARY KEY (project_id, branch_pattern))
                """,
                """
                CREATE TABLE instances (
                    id TEXT PRIMARY KEY, organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
                    environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
                    server_id TEXT NOT NULL REFERENCES servers(id),
                    name TEXT NOT NULL, status TEXT NOT NULL, active_color TEXT, port BIGINT, health_path TEXT,
                    image TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, UNIQUE (environment_id, name))
                """,
                "CREATE INDEX instances_server ON instances (server_id)",
            ]),
        Migration(
            version: 3, name: "deployments and snapshots",
            statements: [
                """
                CREATE TABLE snapshots (
                    id TEXT PRIMARY KEY, organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                    environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
                    instance_id TEXT NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
                    kind TEXT NOT NULL, status TEXT NOT NULL, status_reason TEXT, size_bytes BIGINT NOT NULL,
                    database_sha256 TEXT, filestore_sha256 TEXT, pinned BIGINT NOT NULL, location TEXT,
                    created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX snapshots_environment ON snapshots (environment_id, created_at)",
                """
                CREATE TABLE deployments (
                    id TEXT PRIMARY KEY, organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
                    environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
                    instance_id TEXT REFERENCES instances(id) ON DELETE SET NULL,
                    trigger_type TEXT NOT NULL, branch TEXT, commit_sha TEXT, tag TEXT, commit_message TEXT,
                    commit_author TEXT, status TEXT NOT NULL, snapshot_id TEXT REFERENCES snapshots(id) ON DELETE SET NULL,
                    active_color TEXT, image_digest TEXT, duration_ms BIGINT, error TEXT,
                    created_at BIGINT NOT NULL, started_at BIGINT, completed_at BIGINT)
                """,
                "CREATE INDEX deployments_project ON deployments (organization_id, project_id, created_at, id)",
                "CREATE INDEX deployments_environment ON deployments (environment_id, status)",
                """
                CREATE TABLE deployment_steps (
                    deployment_id TEXT NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
                    position BIGINT NOT NULL, name TEXT NOT NULL, status TEXT NOT NULL, output TEXT NOT NULL,
                    duration_ms BIGINT, started_at BIGINT, completed_at BIGINT, PRIMARY KEY (deployment_id, position))
                """,
            ]),
        Migration(
            version: 4, name: "job queue",
            statements: [
                """
                CREATE TABLE jobs (
                    id TEXT PRIMARY KEY, organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                    kind TEXT NOT NULL, subject_id TEXT NOT NULL, concurrency_key TEXT, status TEXT NOT NULL,
                    attempts BIGINT NOT NULL, lease_owner TEXT, lease_expires_at BIGINT, error TEXT,
                    created_at BIGINT NOT NULL, started_at BIGINT, completed_at BIGINT)
                """,
                "CREATE INDEX jobs_claim ON jobs (status, created_at)",
                "CREATE INDEX jobs_subject ON jobs (subject_id, created_at)",
            ]),
        Migration(
            version: 5, name: "server facts and provisioning",
            statements: [
                "ALTER TABLE servers ADD COLUMN allow_docker_install BIGINT NOT NULL DEFAULT 0",
                "ALTER TABLE servers ADD COLUMN facts TEXT",
                "ALTER TABLE servers ADD COLUMN provisioning_steps TEXT NOT NULL DEFAULT '[]'",
                "ALTER TABLE servers ADD COLUMN last_checked_at BIGINT",
            ]),
        Migration(
            version: 6, name: "deployment counts",
            statements: [
                // COUNT(*) over a project's deployments costs ~9 ms at 100,000 rows; the page needs the total on
                // every request, so it is kept here, in the same transaction as each deployment's insert.
                """
                CREATE TABLE deployment_counts (
                    project_id TEXT PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
                    organization_id TEXT NOT NULL, total BIGINT NOT NULL)
                """,
                """
                INSERT INTO deployment_counts (project_id, organization_id, total)
                SELECT project_id, organization_id, COUNT(*) FROM deployments GROUP BY project_id, organization_id
                """,
            ]),
        Migration(
            version: 7, name: "server settings and key passphrase",
            statements: [
                "ALTER TABLE servers ADD COLUMN docker_socket_path TEXT NOT NULL DEFAULT '/var/run/docker.sock'",
                "ALTER TABLE servers ADD COLUMN registry_port BIGINT NOT NULL DEFAULT 5000",
                "ALTER TABLE servers ADD COLUMN proxy_admin_port BIGINT NOT NULL DEFAULT 2019",
                // Sealed like `credential`: the private key's passphrase, when the key has one.
                "ALTER TABLE servers ADD COLUMN credential_passphrase TEXT",
            ]),
        Migration(
            version: 8, name: "running instances",
            statements: [
                "ALTER TABLE servers ADD COLUMN proxy_http_port BIGINT NOT NULL DEFAULT 80",
                // Sealed: the superuser password of the server's database service, made on first need.
                "ALTER TABLE servers ADD COLUMN database_password TEXT",
                "ALTER TABLE instances ADD COLUMN kind TEXT NOT NULL DEFAULT 'generic'",
                "ALTER TABLE instances ADD COLUMN status_reason TEXT",
                "ALTER TABLE instances ADD COLUMN domains TEXT NOT NULL DEFAULT '[]'",
                "ALTER TABLE instances ADD COLUMN env TEXT NOT NULL DEFAULT '{}'",
                "ALTER TABLE instances ADD COLUMN blue_port BIGINT",
                "ALTER TABLE instances ADD COLUMN green_port BIGINT",
                "ALTER TABLE instances ADD COLUMN database_name TEXT",
                // Sealed: the password of the instance's own database role.
                "ALTER TABLE instances ADD COLUMN database_password TEXT",
                "ALTER TABLE instances ADD COLUMN last_log_lines TEXT NOT NULL DEFAULT '[]'",
                """
                CREATE TABLE instance_secrets (
                    instance_id TEXT NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
                    organization_id TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL,
                    updated_at BIGINT NOT NULL, PRIMARY KEY (instance_id, name))
                """,
                // The loopback ports of a server taken by instances' containers: one row per port, so two
                // instances never get the same one.
                """
                CREATE TABLE server_ports (
                    server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE, port BIGINT NOT NULL,
                    instance_id TEXT NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
                    PRIMARY KEY (server_id, port))
                """,
            ]),
        Migration(
            version: 9, name: "snapshot parts",
            statements: [
                "ALTER TABLE snapshots ADD COLUMN database_bytes BIGINT",
                "ALTER TABLE snapshots ADD COLUMN filestore_bytes BIGINT",
                "ALTER TABLE snapshots ADD COLUMN completed_at BIGINT",
            ]),
        Migration(
            version: 10, name: "restores",
            statements: [
                """
                CREATE TABLE restores (
                    id TEXT PRIMARY KEY, organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                    environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
                    snapshot_id TEXT NOT NULL, instance_id TEXT NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
                    safety_snapshot BIGINT NOT NULL, safety_snapshot_id TEXT, status TEXT NOT NULL, status_reason TEXT,
                    steps TEXT NOT NULL, created_at BIGINT NOT NULL, completed_at BIGINT)
                """,
                "CREATE INDEX restores_environment ON restores (environment_id, created_at)",
            ]),
        Migration(
            version: 11, name: "backups",
            statements: [
                // An environment's snapshot retention; both null means none is set.
                "ALTER TABLE environments ADD COLUMN snapshot_keep_last BIGINT",
                "ALTER TABLE environments ADD COLUMN snapshot_keep_days BIGINT",
                // The private key and its passphrase are sealed, like a server's credential.
                """
                CREATE TABLE backup_destinations (
                    id TEXT PRIMARY KEY, organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                    name TEXT NOT NULL, kind TEXT NOT NULL, path TEXT NOT NULL, host TEXT, port BIGINT, username TEXT,
                    host_key_fingerprint TEXT, encrypted_private_key TEXT, encrypted_passphrase TEXT,
                    created_at BIGINT NOT NULL, UNIQUE (organization_id, name))
                """,
                // A destination in use is refused before its delete (`destination_in_use`); the plain reference
                // (checked at the end of the statement) still lets an organization's delete cascade through both.
                """
                CREATE TABLE backup_schedules (
                    id TEXT PRIMARY KEY, organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                    environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
                    instance_id TEXT REFERENCES instances(id) ON DELETE CASCADE,
                    cron TEXT NOT NULL, destination_id TEXT NOT NULL REFERENCES backup_destinations(id),
                    keep_daily BIGINT NOT NULL, keep_weekly BIGINT NOT NULL, keep_monthly BIGINT NOT NULL,
                    verify_after_backup BIGINT NOT NULL, enabled BIGINT NOT NULL, status TEXT NOT NULL,
                    status_reason TEXT, last_due_at BIGINT, last_run_at BIGINT, last_backup_id TEXT, next_run_at BIGINT,
                    created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
                """,
                "CREATE INDEX backup_schedules_environment ON backup_schedules (environment_id, created_at)",
                "CREATE INDEX backup_schedules_destination ON backup_schedules (destination_id)",
                // instance_id is not a reference: the record of what lies at the destination outlives the instance.
                """
                CREATE TABLE backups (
                    id TEXT PRIMARY KEY, organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                    environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
                    instance_id TEXT NOT NULL,
                    schedule_id TEXT REFERENCES backup_schedules(id) ON DELETE SET NULL,
                    snapshot_id TEXT REFERENCES snapshots(id) ON DELETE SET NULL,
                    destination_id TEXT NOT NULL REFERENCES backup_destinations(id),
                    status TEXT NOT NULL, status_reason TEXT, size_bytes BIGINT NOT NULL, database_bytes BIGINT,
                    database_sha256 TEXT, filestore_bytes BIGINT, filestore_sha256 TEXT, location TEXT,
                    verified_at BIGINT, drill_status TEXT, drill_report TEXT, drill_at BIGINT,
                    created_at BIGINT NOT NULL, completed_at BIGINT)
                """,
                "CREATE INDEX backups_environment ON backups (environment_id, created_at)",
                "CREATE INDEX backups_schedule ON backups (schedule_id)",
                "CREATE INDEX backups_destination ON backups (destination_id)",
                """
                CREATE TABLE alerts (
                    id TEXT PRIMARY KEY, organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                    environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
                    kind TEXT NOT NULL, subject_id TEXT NOT NULL, message TEXT NOT NULL,
                    created_at BIGINT NOT NULL, resolved_at BIGINT)
                """,
                "CREATE INDEX alerts_subject ON alerts (subject_id, kind)",
                // At most one open alert of a kind about a subject, even when two control planes raise it at once.
                "CREATE UNIQUE INDEX alerts_open ON alerts (subject_id, kind) WHERE resolved_at IS NULL",
                "CREATE INDEX alerts_environment ON alerts (environment_id, created_at)",
            ]),
        Migration(
            version: 12, name: "deployment pipeline",
            statements: [
                // What the pipeline records per instance (snapshot, image before, image and colour now), as JSON:
                // it is read and written whole with its deployment, never queried by part.
                "ALTER TABLE deployments ADD COLUMN targets TEXT NOT NULL DEFAULT '[]'",
                "ALTER TABLE deployments ADD COLUMN rollback_of TEXT",
                "ALTER TABLE deployments ADD COLUMN cancel_requested BIGINT NOT NULL DEFAULT 0",
            ]),
        Migration(
            version: 13, name: "environment deploy settings",
            statements: [
                "ALTER TABLE environments ADD COLUMN health_check_timeout BIGINT NOT NULL DEFAULT 90",
                "ALTER TABLE environments ADD COLUMN module_update TEXT NOT NULL DEFAULT 'changed'",
                // The module names, comma separated (each is letters, digits and _ only).
                "ALTER TABLE environments ADD COLUMN module_update_modules TEXT NOT NULL DEFAULT ''",
            ]),
        Migration(
            version: 14, name: "git integration",
            statements: [
                """
                CREATE TABLE deploy_keys (
                    project_id TEXT PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
                    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                    public_key TEXT NOT NULL, fingerprint TEXT NOT NULL, private_key TEXT NOT NULL,
                    created_at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE webhook_endpoints (
                    id TEXT PRIMARY KEY, organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
                    provider TEXT NOT NULL, secret TEXT NOT NULL, created_at BIGINT NOT NULL,
                    secret_set_at BIGINT NOT NULL)
                """,
                "CREATE UNIQUE INDEX webhook_endpoints_provider ON webhook_endpoints (project_id, provider)",
                """
                CREATE TABLE webhook_deliveries (
                    id TEXT PRIMARY KEY, organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
                    provider TEXT NOT NULL, event TEXT, delivery_id TEXT, branch TEXT, tag TEXT, commit_sha TEXT,
                    verdict TEXT NOT NULL, reason TEXT, deployment_id TEXT, received_at BIGINT NOT NULL)
                """,
                "CREATE INDEX webhook_deliveries_project ON webhook_deliveries (project_id, received_at)",
                // The delivery ids already acted on: the primary key makes a replay lose the race even when two
                // control planes take the same redelivery at once.
                """
                CREATE TABLE webhook_delivery_ids (
                    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
                    provider TEXT NOT NULL, delivery_id TEXT NOT NULL, received_at BIGINT NOT NULL,
                    PRIMARY KEY (project_id, provider, delivery_id))
                """,
            ]),
    ]

    /// Brings the schema up to date inside one transaction. On PostgreSQL an advisory lock keeps
    /// two control planes starting at once from running the same migration twice.
    static func run(on database: any SQLDatabase) async throws {
        let dialect = database.dialect
        try await database.write { connection in
            if dialect == .postgres {
                try await connection.execute("SELECT pg_advisory_xact_lock(4242001)")
            }
            try await connection.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
            )
            let applied = Set(
                try await connection.query("SELECT version FROM schema_migrations").map { try $0.int("version") })
            for migration in all where !applied.contains(migration.version) {
                for statement in migration.statements {
                    try await connection.execute(statement, [])
                }
                try await connection.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    .init(migration.version), .text(migration.name), .init(Date()))
            }
        }
    }
}
