import Foundation
import SlipwayCore

/// Everything Slipway keeps. Every read and write of a tenant's record names the organization,
/// so a record of another organization is simply not found.
///
/// `SQLStore` implements it once over `SQLDatabase`, which runs on SQLite (GRDB) or PostgreSQL
/// (postgres-nio); the same store test suite runs against both.
public protocol Store: Sendable {
    // MARK: First start
    /// True when no user exists yet: the control plane has never started on this store.
    func isEmpty() async throws -> Bool
    /// Creates the first owner, their organization and personal token, and the server record of the
    /// control plane's own machine, all or nothing. Returns false (and writes nothing) when a user already exists.
    func bootstrap(owner: User, organization: Organization, token: APIToken, secretHash: String, localServer: Server?)
        async throws -> Bool

    // MARK: Organizations and members
    func createOrganization(_ organization: Organization, ownerId: String) async throws
    func organization(id: String) async throws -> Organization?
    func organization(slug: String) async throws -> Organization?
    /// The user's organizations, oldest membership first.
    func organizations(userId: String) async throws -> [Organization]
    func renameOrganization(id: String, name: String) async throws -> Organization?
    func deleteOrganization(id: String) async throws -> Bool
    func createUser(_ user: User) async throws
    func user(id: String) async throws -> User?
    func addMember(organizationId: String, userId: String, role: String) async throws
    func members(organizationId: String) async throws -> [Member]
    func member(organizationId: String, userId: String) async throws -> Member?
    /// In one query, for authentication: the user, and their membership of the organization named `slug`
    /// (or of their first organization when `slug` is nil). Nil when the user is in no such organization.
    func membership(userId: String, slug: String?) async throws -> (
        user: User, organization: Organization, member: Member
    )?
    /// Changes a member's role; refuses to demote the last owner.
    func updateMemberRole(organizationId: String, userId: String, role: String) async throws -> Member?
    /// Removes a member; refuses to remove the last owner.
    func removeMember(organizationId: String, userId: String) async throws -> Bool

    // MARK: Custom roles
    func createRole(_ role: Role) async throws
    func roles(organizationId: String) async throws -> [Role]
    func role(organizationId: String, id: String) async throws -> Role?
    /// Deletes a custom role; refuses while members hold it.
    func deleteRole(organizationId: String, id: String) async throws -> Bool

    // MARK: Tokens
    func createToken(_ token: APIToken, secretHash: String) async throws
    func token(secretHash: String) async throws -> APIToken?
    /// The API keys of an organization (not personal tokens), newest first.
    func apiKeys(organizationId: String) async throws -> [APIToken]
    func apiKey(organizationId: String, id: String) async throws -> APIToken?
    func revokeAPIKey(organizationId: String, id: String, at date: Date) async throws -> APIToken?
    func recordTokenUse(id: String, at date: Date) async throws

    // MARK: Servers
    /// Stores a server with its credential and the private key's passphrase (if it has one), both
    /// already encrypted by the caller.
    func createServer(_ server: Server, encryptedCredential: String?, encryptedPassphrase: String?) async throws
    func servers(organizationId: String) async throws -> [Server]
    func server(organizationId: String, id: String) async throws -> Server?
    func encryptedCredential(organizationId: String, serverId: String) async throws -> String?
    /// The sealed passphrase of the server's private key; nil when the key has none.
    func encryptedPassphrase(organizationId: String, serverId: String) async throws -> String?
    /// The sealed superuser password of the server's database service; nil before its first need.
    func encryptedDatabasePassword(organizationId: String, serverId: String) async throws -> String?
    /// Stores `encrypted` as the database password unless one is stored already; answers the stored one.
    func claimDatabasePassword(organizationId: String, serverId: String, encrypted: String) async throws -> String?
    /// Sets only the reachability of a server, and only while it is still in `expected` status, so a health
    /// check never overwrites a verification that started meanwhile. False when the status had moved on.
    func updateServerReachability(
        organizationId: String, id: String, expected: Server.Status, status: Server.Status, reason: String?,
        checkedAt: Date?
    ) async throws -> Bool
    /// Every server of every organization that verification reached once (active or unreachable).
    func serversToHealthCheck() async throws -> [Server]
    func updateServer(_ server: Server) async throws -> Server?
    /// Deletes a server. Refuses while instances run on it, unless `force`: then their records go with it,
    /// in the same transaction (nothing on the machine is touched).
    func deleteServer(organizationId: String, id: String, force: Bool) async throws -> Bool

    // MARK: Projects and environments
    func createProject(_ project: Project) async throws
    func projects(organizationId: String) async throws -> [Project]
    func project(organizationId: String, id: String) async throws -> Project?
    func updateProject(_ project: Project) async throws -> Project?
    func deleteProject(organizationId: String, id: String) async throws -> Bool
    func createEnvironment(_ environment: Environment) async throws
    func environments(organizationId: String, projectId: String) async throws -> [Environment]
    func environment(organizationId: String, id: String) async throws -> Environment?
    func updateEnvironment(_ environment: Environment) async throws -> Environment?
    func deleteEnvironment(organizationId: String, id: String) async throws -> Bool

    // MARK: Instances
    /// Stores a new instance with its sealed database password, allocating its two loopback ports on the
    /// server when it has none; answers it with its ports.
    func createInstance(_ instance: Instance, encryptedDatabasePassword: String?) async throws -> Instance
    func instances(organizationId: String, environmentId: String) async throws -> [Instance]
    /// Every instance on a server, of any organization (for reconciliation).
    func instances(serverId: String) async throws -> [Instance]
    func instance(organizationId: String, id: String) async throws -> Instance?
    func updateInstance(_ instance: Instance) async throws -> Instance?
    /// Gives the colour a new loopback port (its old one turned out to be taken on the machine, and stays
    /// reserved); answers the instance with it.
    func moveInstancePort(organizationId: String, instanceId: String, color: Instance.Color) async throws -> Instance?
    /// Sets the status only while it is `expected`; answers whether it did.
    func updateInstanceStatus(
        organizationId: String, id: String, expected: Instance.Status, status: Instance.Status, reason: String?,
        lastLogLines: [String]
    ) async throws -> Bool
    func encryptedInstanceDatabasePassword(organizationId: String, instanceId: String) async throws -> String?
    /// Sets (or replaces) a secret of the instance; false when there is no such instance.
    func setInstanceSecret(organizationId: String, instanceId: String, name: String, encryptedValue: String)
        async throws -> Bool
    func deleteInstanceSecret(organizationId: String, instanceId: String, name: String) async throws -> Bool
    /// The instance's secrets by name, sealed.
    func encryptedInstanceSecrets(organizationId: String, instanceId: String) async throws -> [String: String]
    func deleteInstance(organizationId: String, id: String) async throws -> Bool

    // MARK: Deployments
    /// Stores a deployment with its steps.
    func createDeployment(_ deployment: Deployment) async throws
    /// Writes a deployment and the job that runs it in one transaction.
    func enqueueDeployment(_ deployment: Deployment, job: Job) async throws
    /// Writes the deployment's status, commit, targets, timings and steps; nil when it is gone. The cancel
    /// flag is the route's and is not written: the answer carries it as stored.
    func updateDeployment(_ deployment: Deployment) async throws -> Deployment?
    /// Writes one step (its status, output and timings), cheaper than the whole deployment while output flows.
    func updateDeploymentStep(deploymentId: String, position: Int, _ step: Step) async throws
    /// Asks a deployment to stop at its next safe point; a queued one is cancelled at once, with its job.
    func requestDeploymentCancel(organizationId: String, id: String, at date: Date) async throws -> Deployment?
    /// The last deployment that completed with `instanceId` among its targets, before `before` when given.
    func lastCompletedDeployment(organizationId: String, instanceId: String, before: Date?) async throws
        -> Deployment?
    /// Every deployment still queued or running, across organizations, without steps.
    func unfinishedDeployments() async throws -> [Deployment]
    /// A page of a project's deployments, newest first, with the total count; nil when the organization
    /// has no such project.
    func deployments(organizationId: String, projectId: String, page: PageRequest) async throws -> Page<Deployment>?
    func deployment(organizationId: String, id: String) async throws -> Deployment?
    /// How many deployments are in each status, across all organizations: the job queue's depth for /metrics.
    func deploymentStatusCounts() async throws -> [Deployment.Status: Int]

    // MARK: Git integration
    /// Stores the project's deploy key (its private half sealed by the caller), replacing the one it had.
    func setDeployKey(_ key: DeployKey, organizationId: String, encryptedPrivateKey: String) async throws
    func deployKey(organizationId: String, projectId: String) async throws -> DeployKey?
    /// The sealed private half of the project's deploy key; nil when it has none.
    func encryptedDeployPrivateKey(organizationId: String, projectId: String) async throws -> String?
    /// Creates the project's endpoint for the provider, or gives the existing one the new secret (the old one
    /// stops verifying at once); answers the endpoint as stored.
    func configureWebhook(_ endpoint: WebhookEndpoint, encryptedSecret: String) async throws -> WebhookEndpoint
    func webhookEndpoints(organizationId: String, projectId: String) async throws -> [WebhookEndpoint]
    func deleteWebhookEndpoint(organizationId: String, projectId: String, provider: GitProvider) async throws -> Bool
    /// The endpoint a delivery names, whatever its organization (the delivery route has no token), with its
    /// sealed secret.
    func webhookEndpoint(projectId: String, provider: GitProvider) async throws -> (
        endpoint: WebhookEndpoint, encryptedSecret: String
    )?
    /// Keeps a delivery in the project's log, in one transaction with the deployment it queues (and its job).
    /// A delivery id the project's provider sent before turns a `deployed` or `ignored` delivery into an
    /// `ignored` replay that queues nothing; answers the delivery as recorded. The log keeps the last 1,000.
    func recordWebhookDelivery(_ delivery: WebhookDelivery, deployment: Deployment?, job: Job?) async throws
        -> WebhookDelivery
    /// A page of the project's deliveries, newest first; nil when the organization has no such project.
    func webhookDeliveries(organizationId: String, projectId: String, page: PageRequest) async throws -> Page<
        WebhookDelivery
    >?

    // MARK: Snapshots
    func createSnapshot(_ snapshot: Snapshot) async throws
    func snapshots(organizationId: String, environmentId: String) async throws -> [Snapshot]
    func snapshot(organizationId: String, id: String) async throws -> Snapshot?
    func updateSnapshot(_ snapshot: Snapshot) async throws -> Snapshot?
    func setSnapshotPinned(organizationId: String, id: String, pinned: Bool) async throws -> Snapshot?
    /// Deletes the record; a pinned snapshot is refused (409 `snapshot_pinned`); false when there is none.
    func deleteSnapshot(organizationId: String, id: String) async throws -> Bool

    // MARK: Restores
    func createRestore(_ restore: Restore) async throws
    func restore(organizationId: String, id: String) async throws -> Restore?
    /// The environment's restores, newest first.
    func restores(organizationId: String, environmentId: String) async throws -> [Restore]
    /// Writes its status, reason, safety snapshot, steps and completion.
    func updateRestore(_ restore: Restore) async throws

    // MARK: Snapshot retention
    /// The environment's snapshot retention (both rules nil when none is set).
    func snapshotRetention(organizationId: String, environmentId: String) async throws -> SnapshotRetention
    /// Sets it; nil when the organization has no such environment.
    func setSnapshotRetention(organizationId: String, environmentId: String, _ retention: SnapshotRetention)
        async throws -> SnapshotRetention?
    /// Every environment, across organizations, with a rule set: what the scheduled cleanup goes through.
    func environmentsWithSnapshotRetention() async throws -> [(
        organizationId: String, environmentId: String, retention: SnapshotRetention
    )]

    // MARK: Backup destinations
    /// Stores a destination and, for SFTP, its sealed private key (and the key's sealed passphrase).
    func createBackupDestination(
        _ destination: BackupDestination, encryptedPrivateKey: String?, encryptedPassphrase: String?
    ) async throws
    func backupDestinations(organizationId: String) async throws -> [BackupDestination]
    func backupDestination(organizationId: String, id: String) async throws -> BackupDestination?
    func encryptedBackupDestinationKey(organizationId: String, id: String) async throws -> (
        privateKey: String?, passphrase: String?
    )
    /// Pins the SFTP host's key fingerprint once, at the first connection: false when one is already pinned.
    func pinBackupDestinationHostKey(organizationId: String, id: String, fingerprint: String) async throws -> Bool
    /// Deletes it; a destination a schedule or a backup still uses is refused (409 `destination_in_use`).
    func deleteBackupDestination(organizationId: String, id: String) async throws -> Bool

    // MARK: Backup schedules
    func createBackupSchedule(_ schedule: BackupSchedule) async throws
    func backupSchedules(organizationId: String, environmentId: String) async throws -> [BackupSchedule]
    func backupSchedule(organizationId: String, id: String) async throws -> BackupSchedule?
    /// Every enabled schedule, across organizations: what the scheduler goes through.
    func enabledBackupSchedules() async throws -> [BackupSchedule]
    /// Writes every field but the id, organization, environment and creation time.
    func updateBackupSchedule(_ schedule: BackupSchedule) async throws -> BackupSchedule?
    /// Writes only what the engine keeps on a schedule (status, statusReason, lastRunAt, lastBackupId,
    /// nextRunAt, updatedAt): a user's change of cron, destination, retention or enabled made meanwhile stays.
    func updateBackupScheduleState(_ schedule: BackupSchedule) async throws -> BackupSchedule?
    /// Moves `lastDueAt` from `previous` to `due` only if it still is `previous`: the one control plane that
    /// wins takes the due time up (safe with several on one PostgreSQL).
    func claimBackupScheduleDue(id: String, previous: Date?, due: Date) async throws -> Bool
    func deleteBackupSchedule(organizationId: String, id: String) async throws -> Bool

    // MARK: Backups
    func createBackup(_ backup: Backup) async throws
    /// The environment's backups, newest first.
    func backups(organizationId: String, environmentId: String) async throws -> [Backup]
    func backup(organizationId: String, id: String) async throws -> Backup?
    func updateBackup(_ backup: Backup) async throws -> Backup?
    func deleteBackup(organizationId: String, id: String) async throws -> Bool

    // MARK: Alerts
    /// Opens an alert, unless one of the same kind about the same subject is open: then answers that one.
    func raiseAlert(_ alert: Alert) async throws -> Alert
    /// The environment's alerts, newest first: open ones only unless `includeResolved`.
    func alerts(organizationId: String, environmentId: String, includeResolved: Bool) async throws -> [Alert]
    func resolveAlert(organizationId: String, id: String, at date: Date) async throws -> Alert?
    /// Resolves the open alerts of `kinds` about `subjectId` (a later success cleared them); answers how many.
    func resolveAlerts(subjectId: String, kinds: [Alert.Kind], at date: Date) async throws -> Int

    // MARK: Jobs
    /// Adds a job to the durable queue.
    func enqueueJob(_ job: Job) async throws
    /// Hands the oldest claimable job of `kinds` to `owner` with a lease until `now + lease`: a queued job,
    /// or a running one whose lease ran out. Jobs sharing a concurrency key run one at a time, oldest first.
    /// Safe with several workers and several control planes on one PostgreSQL.
    func claimJob(kinds: [Job.Kind], owner: String, lease: TimeInterval, now: Date) async throws -> Job?
    /// Extends the lease; false when `owner` no longer holds the job (it expired and was claimed again).
    func renewJobLease(id: String, owner: String, until: Date) async throws -> Bool
    /// Ends a job held by `owner`; false when `owner` no longer holds it.
    func finishJob(id: String, owner: String, status: Job.Status, error: String?, at date: Date) async throws -> Bool
    func jobs(organizationId: String, subjectId: String) async throws -> [Job]
    /// How many jobs are in each status, across all organizations, for /metrics.
    func jobStatusCounts() async throws -> [Job.Status: Int]

    // MARK: Audit log
    func appendAudit(_ entry: AuditEntry) async throws
    func auditEntries(organizationId: String, filter: AuditFilter, page: PageRequest) async throws -> Page<AuditEntry>

    func close() async throws
}

extension Store {
    /// Stores a server whose credential has no passphrase.
    public func createServer(_ server: Server, encryptedCredential: String?) async throws {
        try await createServer(server, encryptedCredential: encryptedCredential, encryptedPassphrase: nil)
    }

    /// Deletes a server with no instances.
    public func deleteServer(organizationId: String, id: String) async throws -> Bool {
        try await deleteServer(organizationId: organizationId, id: id, force: false)
    }
}

/// Which audit entries to read; nil fields match everything.
public struct AuditFilter: Sendable, Equatable {
    public var actorId: String?
    public var action: String?
    public var resource: String?
    public var since: Date?
    public var until: Date?

    public init(
        actorId: String? = nil, action: String? = nil, resource: String? = nil, since: Date? = nil, until: Date? = nil
    ) {
        self.actorId = actorId
        self.action = action
        self.resource = resource
        self.since = since
        self.until = until
    }
}
