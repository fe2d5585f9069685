import Foundation
import SlipwayCore

extension SQLStore {
    public func createServer(_ server: Server, encryptedCredential: String?, encryptedPassphrase: String?)
        async throws
    {
        try await write(conflict: "name", "a server named '\(server.name)' already exists") {
            try await Self.insertServer(
                server, encryptedCredential: encryptedCredential, encryptedPassphrase: encryptedPassphrase, $0)
        }
    }

    static func insertServer(
        _ server: Server, encryptedCredential: String?, encryptedPassphrase: String? = nil,
        _ connection: any SQLConnection
    ) async throws {
        try await connection.execute(
            """
            INSERT INTO servers (id, organization_id, name, host, port, ssh_user, auth_method, credential,
                credential_passphrase, status, status_reason, host_key_fingerprint, allow_docker_install,
                docker_socket_path, registry_port, proxy_admin_port, proxy_http_port, facts, provisioning_steps,
                last_checked_at, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            .text(server.id), .text(server.organizationId), .text(server.name), .text(server.host),
            .init(server.port), .text(server.user), .text(server.authMethod.rawValue), .init(encryptedCredential),
            .init(encryptedPassphrase), .text(server.status.rawValue), .init(server.statusReason),
            .init(server.hostKeyFingerprint), .init(server.allowDockerInstall), .text(server.dockerSocketPath),
            .init(server.registryPort), .init(server.proxyAdminPort), .init(server.proxyHTTPPort),
            try .json(server.facts), try .json(server.provisioningSteps), .init(server.lastCheckedAt),
            .init(server.createdAt),
            .init(server.updatedAt))
    }

    public func servers(organizationId: String) async throws -> [Server] {
        try await read {
            try await $0.query("SELECT * FROM servers WHERE organization_id = ? ORDER BY name", .text(organizationId))
                .map(Server.init)
        }
    }

    public func server(organizationId: String, id: String) async throws -> Server? {
        try await read { try await Self.server(organizationId, id, $0) }
    }

    public func updateServerReachability(
        organizationId: String, id: String, expected: Server.Status, status: Server.Status, reason: String?,
        checkedAt: Date?
    ) async throws -> Bool {
        try await write {
            try await $0.execute(
                """
                UPDATE servers SET status = ?, status_reason = ?, last_checked_at = COALESCE(?, last_checked_at), updated_at = ?
                WHERE organization_id = ? AND id = ? AND status = ?
                """, .text(status.rawValue), .init(reason), .init(checkedAt), .init(Date()), .text(organizationId),
                .text(id),
                .text(expected.rawValue)) > 0
        }
    }

    public func serversToHealthCheck() async throws -> [Server] {
        try await read {
            try await $0.query("SELECT * FROM servers WHERE status IN ('active', 'unreachable') ORDER BY id").map(
                Server.init)
        }
    }

    public func encryptedCredential(organizationId: String, serverId: String) async throws -> String? {
        try await sealedColumn("credential", organizationId: organizationId, serverId: serverId)
    }

    public func encryptedPassphrase(organizationId: String, serverId: String) async throws -> String? {
        try await sealedColumn("credential_passphrase", organizationId: organizationId, serverId: serverId)
    }

    /// One of the sealed columns; `column` is one of the two names above, never input.
    private func sealedColumn(_ column: String, organizationId: String, serverId: String) async throws -> String? {
        try await read {
            try await $0.first(
                "SELECT \(column) FROM servers WHERE organization_id = ? AND id = ?",
                [.text(organizationId), .text(serverId)]
            )?.optionalString(column)
        }
    }

    /// Writes every mutable field of the server: name, address, status, host key, facts, steps.
    public func updateServer(_ server: Server) async throws -> Server? {
        try await write(conflict: "name", "a server named '\(server.name)' already exists") { connection in
            try await connection.execute(
                """
                UPDATE servers SET name = ?, host = ?, port = ?, ssh_user = ?, status = ?, status_reason = ?,
                    host_key_fingerprint = ?, allow_docker_install = ?, docker_socket_path = ?, registry_port = ?,
                    proxy_admin_port = ?, proxy_http_port = ?, facts = ?, provisioning_steps = ?, last_checked_at = ?,
                    updated_at = ?
                WHERE organization_id = ? AND id = ?
                """,
                .text(server.name), .text(server.host), .init(server.port), .text(server.user),
                .text(server.status.rawValue), .init(server.statusReason), .init(server.hostKeyFingerprint),
                .init(server.allowDockerInstall), .text(server.dockerSocketPath), .init(server.registryPort),
                .init(server.proxyAdminPort), .init(server.proxyHTTPPort), try .json(server.facts),
                try .json(server.provisioningSteps), .init(server.lastCheckedAt), .init(Date()),
                .text(server.organizationId), .text(server.id))
            return try await Self.server(server.organizationId, server.id, connection)
        }
    }

    public func deleteServer(organizationId: String, id: String, force: Bool) async throws -> Bool {
        try await write { connection in
            if force {
                // Only the records go: their snapshots with them, their deployments keep their history.
                try await connection.execute(
                    "DELETE FROM instances WHERE organization_id = ? AND server_id = ?", .text(organizationId),
                    .text(id))
            } else {
                let used = try await connection.query(
                    "SELECT name FROM instances WHERE organization_id = ? AND server_id = ? ORDER BY name LIMIT 21",
                    .text(organizationId), .text(id))
                if !used.isEmpty {
                    let names = try used.prefix(20).map { try $0.string("name") }.joined(separator: ", ")
                    throw SlipwayError(
                        .conflict, code: "server_in_use",
                        message:
                            "instances run on this server (\(names)\(used.count > 20 ? ", ..." : "")): remove or move them first"
                    )
                }
            }
            return try await connection.execute(
                "DELETE FROM servers WHERE organization_id = ? AND id = ?", .text(organizationId), .text(id)) > 0
        }
    }

    private static func server(_ organizationId: String, _ id: String, _ connection: any SQLConnection) async throws
        -> Server?
    {
        try await connection.first(
            "SELECT * FROM servers WHERE organization_id = ? AND id = ?", [.text(organizationId), .text(id)]
        ).map(Server.init)
    }
}

extension SQLStore {
    public func encryptedDatabasePassword(organizationId: String, serverId: String) async throws -> String? {
        try await read {
            try await $0.first(
                "SELECT database_password FROM servers WHERE organization_id = ? AND id = ?",
                [.text(organizationId), .text(serverId)]
            )?.optionalString("database_password")
        }
    }

    public func claimDatabasePassword(organizationId: String, serverId: String, encrypted: String) async throws
        -> String?
    {
        try await write { connection in
            try await connection.execute(
                "UPDATE servers SET database_password = ? WHERE organization_id = ? AND id = ? AND database_password IS NULL",
                .text(encrypted), .text(organizationId), .text(serverId))
            return try await connection.first(
                "SELECT database_password FROM servers WHERE organization_id = ? AND id = ?",
                [.text(organizationId), .text(serverId)]
            )?.optionalString("database_password")
        }
    }
}
