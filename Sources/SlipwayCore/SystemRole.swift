/// The roles every organization has. Custom roles hold their own permission sets.
public enum SystemRole: String, CaseIterable, Codable, Sendable {
    case owner, admin, developer, viewer

    public var permissions: PermissionSet {
        switch self {
        case .owner, .admin:
            return PermissionSet(Resource.allCases.map(Permission.manage))
        case .developer:
            let managed: [Resource] = [.projects, .environments, .instances, .deployments, .snapshots, .webhooks]
            let viewed: [Resource] = [.servers, .backups, .members]
            return PermissionSet(managed.map(Permission.manage) + viewed.map(Permission.view))
        case .viewer:
            let viewed = Resource.allCases.filter { $0 != .apikeys && $0 != .settings }
            return PermissionSet(viewed.map(Permission.view))
        }
    }
}
