import Foundation

/// One stage of verifying and preparing a server, recorded before it acts so the user can watch.
public struct ProvisioningStep: Codable, Sendable, Equatable {
    public enum Name: String, Codable, Sendable, CaseIterable {
        case connect
        case hostKey = "host-key"
        case facts
        case docker
        /// Docker's registry on the server's loopback, where deployments push their images.
        case registry
        /// Caddy, the reverse proxy, with its admin API on the server's loopback.
        case proxy
    }

    public var name: Name
    public var status: Step.Status
    public var output: String
    public var startedAt: Date?
    public var completedAt: Date?

    public init(
        name: Name, status: Step.Status = .pending, output: String = "", startedAt: Date? = nil,
        completedAt: Date? = nil
    ) {
        self.name = name
        self.status = status
        self.output = output
        self.startedAt = startedAt
        self.completedAt = completedAt
    }

    /// Every step, pending: the plan of a fresh verification.
    public static var plan: [ProvisioningStep] { Name.allCases.map { ProvisioningStep(name: $0) } }
}
