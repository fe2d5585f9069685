import Foundation

/// What `POST /api/projects/{projectId}/deploy` asks for: at least one of a branch, a commit (4 to 40
/// hex characters) or a tag, and optionally one instance (else every instance of the environment the
/// branch maps to). Checked before anything is queued.
public struct DeployRequest: Codable, Sendable, Equatable {
    public var branch: String?
    public var commitSha: String?
    public var tag: String?
    public var instanceId: String?

    public init(branch: String? = nil, commitSha: String? = nil, tag: String? = nil, instanceId: String? = nil) {
        self.branch = branch
        self.commitSha = commitSha
        self.tag = tag
        self.instanceId = instanceId
    }

    /// Throws `invalid` naming the field at fault.
    public func validate() throws {
        guard branch != nil || commitSha != nil || tag != nil else {
            throw SlipwayError.invalid("branch", "give at least one of branch, commitSha or tag")
        }
        if let branch { try Validation.gitRef(branch, field: "branch") }
        if let commitSha { try Validation.commitSha(commitSha, field: "commitSha") }
        if let tag { try Validation.gitRef(tag, field: "tag") }
        if let instanceId, instanceId.isEmpty || instanceId.count > 64 {
            throw SlipwayError.invalid("instanceId", "must be an instance id")
        }
    }
}
