import SlipwayCore

/// A record with an id, so the audit log can name what a request created.
protocol IdentifiedRecord {
    var id: String { get }
}

extension Organization: IdentifiedRecord {}
extension Server: IdentifiedRecord {}
extension Project: IdentifiedRecord {}
extension Environment: IdentifiedRecord {}
extension Instance: IdentifiedRecord {}
extension Deployment: IdentifiedRecord {}
extension Snapshot: IdentifiedRecord {}
extension Restore: IdentifiedRecord {}
extension Job: IdentifiedRecord {}
extension APIToken: IdentifiedRecord {}
extension RoleRoutes.View: IdentifiedRecord {}
extension APIKeyRoutes.Created: IdentifiedRecord {
    var id: String { key.id }
}
