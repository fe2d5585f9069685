import Foundation

/// A stage of a project, tied to a branch, with its deploy settings.
public struct Environment: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case production, staging, development
    }

    public var id: String
    public var organizationId: String
    public var projectId: String
    public var name: String
    public var type: Kind
    public var branch: String
    public var autoDeploy: Bool
    /// How long a deployment's new colour has to answer its health path, in seconds.
    public var healthCheckTimeoutSeconds: Int
    /// Which Odoo modules a deployment updates: `changed` (the addons whose files changed since the commit
    /// that ran), `listed` (`moduleUpdateModules`, every time) or `none`.
    public var moduleUpdate: ModuleUpdatePolicy
    /// The modules a `listed` policy updates.
    public var moduleUpdateModules: [String]
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String = Identifier.make("env"), organizationId: String, projectId: String, name: String, type: Kind,
        branch: String, autoDeploy: Bool = true, healthCheckTimeoutSeconds: Int = Environment.defaultHealthCheckTimeout,
        moduleUpdate: ModuleUpdatePolicy = .changed, moduleUpdateModules: [String] = [], createdAt: Date = Date(),
        updatedAt: Date = Date()
    ) {
        self.id = id
        self.organizationId = organizationId
        self.projectId = projectId
        self.name = name
        self.type = type
        self.branch = branch
        self.autoDeploy = autoDeploy
        self.healthCheckTimeoutSeconds = healthCheckTimeoutSeconds
        self.moduleUpdate = moduleUpdate
        self.moduleUpdateModules = moduleUpdateModules
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

extension Environment {
    /// Which Odoo modules a deployment of the environment updates.
    public enum ModuleUpdatePolicy: String, Codable, Sendable, CaseIterable {
        case changed, listed, none
    }

    public static let defaultHealthCheckTimeout = 90

    /// Throws `invalid` naming the field at fault: a timeout of 5 to 3600 seconds; module names as Odoo
    /// writes them (lowercase letters, digits, `_`), at most 100, and at least one for `listed`.
    public func validateDeploySettings() throws {
        guard (5...3600).contains(healthCheckTimeoutSeconds) else {
            throw SlipwayError.invalid("healthCheckTimeoutSeconds", "must be 5 to 3600 seconds")
        }
        guard moduleUpdateModules.count <= 100,
            moduleUpdateModules.allSatisfy({ name in
                (1...64).contains(name.count)
                    && name.unicodeScalars.allSatisfy {
                        ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
                    }
            })
        else {
            throw SlipwayError.invalid(
                "moduleUpdateModules", "must be up to 100 module names of lowercase letters, digits and _")
        }
        if moduleUpdate == .listed, moduleUpdateModules.isEmpty {
            throw SlipwayError.invalid("moduleUpdateModules", "name the modules a `listed` module update updates")
        }
    }
}
