import Foundation
import SlipwayCore

extension SQLStore {
    public func setDeployKey(_ key: DeployKey, organizationId: String, encryptedPrivateKey: String) async throws {
        try await write { connection in
            try await connection.execute(
                "DELETE FROM deploy_keys WHERE organization_id = ? AND project_id = ?", .text(organizationId),
                .text(key.projectId))
            try await connection.execute(
                """
                INSERT INTO deploy_keys (project_id, organization_id, public_key, fingerprint, private_key, created_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
                .text(key.projectId), .text(organizationId), .text(key.publicKey), .text(key.fingerprint),
                .text(encryptedPrivateKey), .init(key.createdAt))
        }
    }

    public func deployKey(organizationId: String, projectId: String) async throws -> DeployKey? {
        try await read {
            try await $0.first(
                "SELECT * FROM deploy_keys WHERE organization_id = ? AND project_id = ?",
                [.text(organizationId), .text(projectId)]
            ).map(DeployKey.init)
        }
    }

    public func encryptedDeployPrivateKey(organizationId: String, projectId: String) async throws -> String? {
        try await read {
            try await $0.first(
                "SELECT private_key FROM deploy_keys WHERE organization_id = ? AND project_id = ?",
                [.text(organizationId), .text(projectId)]
            )?.string("private_key")
        }
    }
}
