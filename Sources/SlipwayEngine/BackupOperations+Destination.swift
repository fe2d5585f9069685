import Foundation
import SlipwayCore
import SlipwayDrivers

extension BackupOperations {
    /// Opens a destination for one job. An SFTP host's key is pinned at the first connection; later
    /// connections must present the same one.
    func open(_ destination: BackupDestination) async throws -> any BackupStorage {
        switch destination.kind {
        case .local:
            if let localRoot, !BackupDestination.path(destination.path, isInside: localRoot) {
                throw SnapshotFailure(
                    "the local destination \(destination.path) is outside the control plane's backup root \(localRoot)")
            }
            return LocalBackupStorage(path: destination.path)
        case .sftp:
            guard let host = destination.host, let user = destination.username else {
                throw SnapshotFailure("the SFTP destination \(destination.name) has no host or user")
            }
            let sealed = try await store.encryptedBackupDestinationKey(
                organizationId: destination.organizationId, id: destination.id)
            guard let sealedKey = sealed.privateKey else {
                throw SnapshotFailure("the SFTP destination \(destination.name) has no private key")
            }
            let target = SSHTarget(
                host: host, port: destination.port ?? 22, user: user,
                credential: .privateKey(
                    pem: try secrets.open(sealedKey), passphrase: try sealed.passphrase.map { try secrets.open($0) }),
                pinnedHostKeyFingerprint: destination.hostKeyFingerprint)
            let connection = try SSHConnection(target: target, maxSessions: 2, logger: snapshots.instances.logger)
            do {
                let fingerprint = try await connection.connect()
                if destination.hostKeyFingerprint == nil {
                    _ = try await store.pinBackupDestinationHostKey(
                        organizationId: destination.organizationId, id: destination.id, fingerprint: fingerprint)
                }
                let session = try await connection.sftp()
                return SFTPBackupStorage(
                    connection: connection, session: session, root: destination.path,
                    label: "sftp://\(user)@\(host):\(destination.port ?? 22)")
            } catch {
                await connection.close()
                throw error
            }
        }
    }
}
