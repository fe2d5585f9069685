import Foundation
import SlipwayCore

extension SQLStore {
    public func createBackupDestination(
        _ destination: BackupDestination, encryptedPrivateKey: String?, encryptedPassphrase: String?
    ) async throws {
        try await write(conflict: "name", "a backup destination named '\(destination.name)' already exists") {
            try await $0.execute(
                """
                INSERT INTO backup_destinations (id, organization_id, name, kind, path, host, port, username,
                    host_key_fingerprint, encrypted_private_key, encrypted_passphrase, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                .text(destination.id), .text(destination.organizationId), .text(destination.name),
                .text(destination.kind.rawValue), .text(destination.path), .init(destination.host),
                .init(destination.port), .init(destination.username), .init(destination.hostKeyFingerprint),
                .init(encryptedPrivateKey), .init(encryptedPassphrase), .init(destination.createdAt))
        }
    }

    public func backupDestinations(organizationId: String) async throws -> [BackupDestination] {
        try await read {
            try await $0.query(
                "SELECT * FROM backup_destinations WHERE organization_id = ? ORDER BY name", .text(organizationId)
            ).map(BackupDestination.init)
        }
    }

    public func backupDestination(organizationId: String, id: String) async throws -> BackupDestination? {
        try await read {
            try await $0.first(
                "SELECT * FROM backup_destinations WHERE organization_id = ? AND id = ?",
                [.text(organizationId), .text(id)]
            ).map(BackupDestination.init)
        }
    }

    public func encryptedBackupDestinationKey(organizationId: String, id: String) async throws -> (
        privateKey: String?, passphrase: String?
    ) {
        try await read {
            let row = try await $0.first(
                "SELECT encrypted_private_key, encrypted_passphrase FROM backup_destinations WHERE organization_id = ? AND id = ?",
                [.text(organizationId), .text(id)])
            return (
                privateKey: try row?.optionalString("encrypted_private_key"),
                passphrase: try row?.optionalString("encrypted_passphrase")
            )
        }
    }

    public func pinBackupDestinationHostKey(organizationId: String, id: String, fingerprint: String) async throws
        -> Bool
    {
        try await write {
            try await $0.execute(
                """
                UPDATE backup_destinations SET host_key_fingerprint = ?
                WHERE organization_id = ? AND id = ? AND host_key_fingerprint IS NULL
                """, .text(fingerprint), .text(organizationId), .text(id)) > 0
        }
    }

    public func deleteBackupDestination(organizationId: String, id: String) async throws -> Bool {
        try await write { connection in
            guard try await Self.hasBackupDestination(organizationId, id, connection) else { return false }
            let schedules = try await connection.query(
                "SELECT id FROM backup_schedules WHERE destination_id = ? LIMIT 1", .text(id))
            let backups = try await connection.query(
                "SELECT id FROM backups WHERE destination_id = ? LIMIT 1", .text(id))
            guard schedules.isEmpty && backups.isEmpty else {
                throw SlipwayError(
                    .conflict, code: "destination_in_use",
                    message: "backup schedules or backups use this destination: delete them first")
            }
            return try await connection.execute(
                "DELETE FROM backup_destinations WHERE organization_id = ? AND id = ?", .text(organizationId),
                .text(id)) > 0
        }
    }

    /// Refuses a destination the organization does not have, before a schedule or backup names it.
    static func requireBackupDestination(_ organizationId: String, _ id: String, _ connection: any SQLConnection)
        async throws
    {
        guard try await hasBackupDestination(organizationId, id, connection) else {
            throw SlipwayError.invalid("destinationId", "no backup destination '\(id)' in this organization")
        }
    }

    private static func hasBackupDestination(_ organizationId: String, _ id: String, _ connection: any SQLConnection)
        async throws -> Bool
    {
        try await connection.first(
            "SELECT id FROM backup_destinations WHERE organization_id = ? AND id = ?",
            [.text(organizationId), .text(id)]
        ) != nil
    }
}
