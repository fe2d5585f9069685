/// A resource that permissions name, as in ARCHITECTURE.md.
public enum Resource: String, CaseIterable, Codable, Sendable {
    case servers, projects, environments, instances, deployments, snapshots, backups
    case members, webhooks, apikeys, settings
}

/// What a permission allows on its resource. `manage` implies `view`.
public enum Access: String, CaseIterable, Codable, Sendable, Comparable {
    case view, manage

    public static func < (lhs: Access, rhs: Access) -> Bool {
        lhs == .view && rhs == .manage
    }
}

/// `view:<resource>` or `manage:<resource>`.
public struct Permission: Hashable, Sendable, Codable, CustomStringConvertible {
    public var access: Access
    public var resource: Resource

    public init(_ access: Access, _ resource: Resource) {
        self.access = access
        self.resource = resource
    }

    /// Parses `view:servers`; nil for anything else.
    public init?(string: String) {
        let parts = string.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let access = Access(rawValue: String(parts[0])),
            let resource = Resource(rawValue: String(parts[1]))
        else { return nil }
        self.init(access, resource)
    }

    public var description: String { "\(access.rawValue):\(resource.rawValue)" }

    public static func view(_ resource: Resource) -> Permission { Permission(.view, resource) }
    public static func manage(_ resource: Resource) -> Permission { Permission(.manage, resource) }

    /// Every permission there is.
    public static let all: [Permission] = Resource.allCases.flatMap { [.view($0), .manage($0)] }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let permission = Permission(string: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "'\(text)' is not a permission like 'view:projects'")
        }
        self = permission
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A set of permissions, where `manage:x` also grants `view:x`.
public struct PermissionSet: Hashable, Sendable {
    public private(set) var permissions: Set<Permission>

    public init<S: Sequence>(_ permissions: S) where S.Element == Permission {
        self.permissions = Set(permissions)
    }

    public func allows(_ permission: Permission) -> Bool {
        permissions.contains { $0.resource == permission.resource && $0.access >= permission.access }
    }

    /// True when every permission of `other` is allowed here: a key cannot be given more than its maker holds.
    public func covers(_ other: PermissionSet) -> Bool {
        other.permissions.allSatisfy(allows)
    }

    /// Sorted for stable output.
    public var sorted: [Permission] {
        permissions.sorted { ($0.resource.rawValue, $0.access.rawValue) < ($1.resource.rawValue, $1.access.rawValue) }
    }

    public func intersection(_ other: PermissionSet) -> PermissionSet {
        PermissionSet(Permission.all.filter { allows($0) && other.allows($0) })
    }
}
