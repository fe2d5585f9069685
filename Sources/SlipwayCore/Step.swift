import Foundation

/// One stage of a deployment, in the pipeline's order.
public struct Step: Codable, Sendable, Equatable {
    public enum Name: String, Codable, Sendable, CaseIterable {
        case preDeploySnapshot = "pre-deploy-snapshot"
        case clone
        case build
        case push
        case updateContainer = "update-container"
        case moduleUpdate = "module-update"
        case healthCheck = "health-check"
        case switchTraffic = "switch-traffic"
        case drain
    }

    public enum Status: String, Codable, Sendable, CaseIterable {
        case pending, running, completed, failed, skipped
    }

    public var name: Name
    public var status: Status
    public var output: String
    public var durationMs: Int?
    public var startedAt: Date?
    public var completedAt: Date?

    public init(
        name: Name, status: Status = .pending, output: String = "", durationMs: Int? = nil, startedAt: Date? = nil,
        completedAt: Date? = nil
    ) {
        self.name = name
        self.status = status
        self.output = output
        self.durationMs = durationMs
        self.startedAt = startedAt
        self.completedAt = completedAt
    }
}
