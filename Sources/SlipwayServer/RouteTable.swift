/// Every route the control plane serves. The server installs exactly these; the OpenAPI
/// document describes exactly these.
public enum RouteTable {
    public static let api: [APIRoute] =
        MeRoutes.all + OrganizationRoutes.all + MemberRoutes.all + RoleRoutes.all + APIKeyRoutes.all + ServerRoutes.all
        + ServerVerificationRoutes.all + ProjectRoutes.all + EnvironmentRoutes.all + InstanceRoutes.all
        + InstanceActionRoutes.all + InstanceSecretRoutes.all
        + DeploymentRoutes.all + SnapshotRoutes.all + RestoreRoutes.all + SnapshotRetentionRoutes.all
        + BackupDestinationRoutes.all + BackupScheduleRoutes.all + BackupRoutes.all + AlertRoutes.all
        + AuditRoutes.all + WebhookRoutes.all + DeployKeyRoutes.all

    public static let all: [APIRoute] = SystemRoutes.all(documentedRoutes: { RouteTable.all }) + api
}
