import Foundation
import SlipwayCore

/// How a record looks in the terminal: a row of a list, and the fields of `show`/`create`.
protocol Presentable: Decodable, Sendable {
    /// The word for several of them, for an empty list: "No projects."
    static var plural: String { get }
    static var columns: [String] { get }
    var row: [String] { get }
    var details: DetailList { get }
}

extension Presentable {
    static func date(_ date: Date?) -> String? {
        date.map(JSONCoding.formatDate)
    }

    /// `512 B`, `1.5 KiB`, `12.3 MiB`.
    static func bytes(_ count: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : String(format: "%.1f %@", value, units[unit])
    }
}

extension Organization: Presentable {
    static let plural = "organizations"
    static let columns = ["ID", "NAME", "SLUG", "CREATED"]
    var row: [String] { [id, name, slug, Self.date(createdAt) ?? "-"] }
    var details: DetailList {
        DetailList([("id", id), ("name", name), ("slug", slug), ("createdAt", Self.date(createdAt))])
    }
}

extension Project: Presentable {
    static let plural = "projects"
    static let columns = ["ID", "NAME", "KIND", "REPO"]
    var row: [String] { [id, name, kind.rawValue, repoUrl] }
    var details: DetailList {
        let mappings = branchMappings.sorted { $0.priority > $1.priority }
            .map { "\($0.branchPattern) -> \($0.environmentId) (priority \($0.priority))" }
        return DetailList([
            ("id", id), ("name", name), ("kind", kind.rawValue), ("repoUrl", repoUrl),
            ("branchMappings", mappings.isEmpty ? "none" : mappings.joined(separator: ", ")),
            ("organizationId", organizationId), ("createdAt", Self.date(createdAt)),
            ("updatedAt", Self.date(updatedAt)),
        ])
    }
}

extension Environment: Presentable {
    static let plural = "environments"
    static let columns = ["ID", "NAME", "TYPE", "BRANCH", "AUTO-DEPLOY"]
    var row: [String] { [id, name, type.rawValue, branch, autoDeploy ? "yes" : "no"] }
    var details: DetailList {
        DetailList([
            ("id", id), ("name", name), ("type", type.rawValue), ("branch", branch),
            ("autoDeploy", autoDeploy ? "yes" : "no"), ("healthCheckTimeout", "\(healthCheckTimeoutSeconds) s"),
            (
                "moduleUpdate",
                moduleUpdate == .listed
                    ? "listed: " + moduleUpdateModules.joined(separator: ", ") : moduleUpdate.rawValue
            ), ("projectId", projectId),
            ("createdAt", Self.date(createdAt)), ("updatedAt", Self.date(updatedAt)),
        ])
    }
}

extension Server: Presentable {
    static let plural = "servers"
    static let columns = ["ID", "NAME", "HOST", "PORT", "USER", "STATUS"]
    var row: [String] { [id, name, host, String(port), user, status.rawValue] }
    var details: DetailList {
        DetailList([
            ("id", id), ("name", name), ("host", host), ("port", String(port)), ("user", user),
            ("authMethod", authMethod.rawValue), ("status", status.rawValue), ("statusReason", statusReason),
            ("hostKeyFingerprint", hostKeyFingerprint), ("allowDockerInstall", String(allowDockerInstall)),
            ("dockerSocketPath", dockerSocketPath), ("registryPort", String(registryPort)),
            ("proxyAdminPort", String(proxyAdminPort)), ("proxyHTTPPort", String(proxyHTTPPort)),
            ("os", facts?.os), ("kernel", facts?.kernel), ("architecture", facts?.architecture),
            ("cpus", facts.map { String($0.cpus) }), ("memory", facts.map { Self.bytes($0.memoryBytes) }),
            ("disk", facts.map { "\(Self.bytes($0.diskFreeBytes)) free of \(Self.bytes($0.diskBytes))" }),
            ("docker", facts.map { $0.dockerVersion.map { "\($0) (running)" } ?? "not running" }),
            (
                "steps",
                provisioningSteps.isEmpty
                    ? nil
                    : provisioningSteps.map { "\($0.name.rawValue): \($0.status.rawValue)" }.joined(separator: ", ")
            ),
            ("lastCheckedAt", Self.date(lastCheckedAt)), ("createdAt", Self.date(createdAt)),
            ("updatedAt", Self.date(updatedAt)),
        ])
    }
}

extension Instance: Presentable {
    static let plural = "instances"
    static let columns = ["ID", "NAME", "KIND", "STATUS", "ACTIVE", "SERVER", "IMAGE"]
    var row: [String] {
        [id, name, kind.rawValue, status.rawValue, activeColor?.rawValue ?? "-", serverId, image ?? "-"]
    }
    var details: DetailList { details(proxyHTTPPort: nil) }

    /// Its fields; with the port its server's Caddy serves on, the URLs it answers on too. Secrets by name only.
    func details(proxyHTTPPort: Int?) -> DetailList {
        let urls: [(String, String?)] =
            proxyHTTPPort.map { port in
                let hosts = ([defaultDomain] + domains).map { "http://\($0)\(port == 80 ? "" : ":\(port)")/" }
                return [("urls", hosts.joined(separator: ", "))]
            } ?? []
        return DetailList(
            [
                ("id", id), ("name", name), ("kind", kind.rawValue), ("status", status.rawValue),
                ("statusReason", statusReason), ("activeColor", activeColor?.rawValue), ("image", image),
                ("port", port.map(String.init)), ("healthPath", healthPath),
                ("domains", domains.isEmpty ? "none" : domains.joined(separator: ", ")),
                ("defaultDomain", defaultDomain),
            ] + urls + [
                (
                    "env",
                    env.isEmpty ? "none" : env.sorted { $0.key < $1.key }.map { "\($0)=\($1)" }.joined(separator: ", ")
                ),
                ("secretNames", secretNames.isEmpty ? "none" : secretNames.sorted().joined(separator: ", ")),
                ("hostPorts", hostPorts.map { "blue \($0.blue), green \($0.green)" }), ("databaseName", databaseName),
                ("serverId", serverId), ("environmentId", environmentId), ("projectId", projectId),
                ("organizationId", organizationId), ("createdAt", Self.date(createdAt)),
                ("updatedAt", Self.date(updatedAt)),
            ])
    }
}

extension APIToken: Presentable {
    static let plural = "API keys"
    static let columns = ["ID", "NAME", "PREFIX", "ACCESS", "EXPIRES", "STATUS"]
    var row: [String] { [id, name, prefix, access, Self.date(expiresAt) ?? "never", state] }
    var details: DetailList {
        DetailList([
            ("id", id), ("name", name), ("prefix", prefix), ("role", role),
            ("permissions", permissions.isEmpty ? nil : permissions.map(\.description).joined(separator: ", ")),
            ("expiresAt", Self.date(expiresAt) ?? "never"), ("status", state), ("lastUsedAt", Self.date(lastUsedAt)),
            ("createdAt", Self.date(createdAt)),
        ])
    }

    /// The role it was made from, else how many permissions it carries.
    var access: String {
        if let role { return role }
        return permissions.count == 1 ? permissions[0].description : "\(permissions.count) permissions"
    }

    var state: String {
        if revokedAt != nil { return "revoked" }
        return isActive(at: Date()) ? "active" : "expired"
    }
}
