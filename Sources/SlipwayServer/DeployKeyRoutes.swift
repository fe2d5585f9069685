import Foundation
import SlipwayCore
import SlipwayEngine

/// A project's deploy key: the public half to add (read-only) at the Git host, and a new pair on request.
enum DeployKeyRoutes {
    static let all: [APIRoute] = [
        APIRoute(
            .get, "/api/projects/{projectId}/deploy-key", access: .permission(.view(.projects)),
            summary: "The project's deploy key: add its public key, read-only, to the repository at the Git host",
            resource: "projects", response: .reference("DeployKey")
        ) { call in
            let project = try await ProjectRoutes.project(call)
            guard
                let key = try await call.store.deployKey(organizationId: project.organizationId, projectId: project.id)
            else { throw SlipwayError.notFound("deploy key") }
            return .json(key)
        },
        APIRoute(
            .post, "/api/projects/{projectId}/deploy-key", access: .permission(.manage(.projects)),
            summary:
                "Give the project a new deploy key (the old one stops being used at once: replace it at the Git host)",
            resource: "projects", status: .created, response: .reference("DeployKey")
        ) { call in
            let project = try await ProjectRoutes.project(call)
            return .json(try await create(for: project, call))
        },
    ]

    /// Makes and stores a new key pair for the project, its private half sealed.
    static func create(for project: Project, _ call: RouteCall) async throws -> DeployKey {
        let pair = DeployKeyPair.generate(comment: "slipway-\(project.name.lowercased().filter(\.isLetter))")
        let key = pair.record(projectId: project.id, createdAt: call.backend.clock())
        try await call.store.setDeployKey(
            key, organizationId: project.organizationId,
            encryptedPrivateKey: try call.backend.secrets.seal(pair.privateKey))
        return key
    }
}
