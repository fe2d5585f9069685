import Foundation
import SlipwayCore

/// Where an organization's backups are copied: a directory on the control plane (`local`), checked
/// writable when it is named, or a directory on an SFTP host, stored without connecting (a host may not be
/// reachable yet) and proven usable with `POST .../check`. An SFTP private key and its passphrase are sealed
/// with the secret key before the store sees them and are never answered (`hasPrivateKey`).
enum BackupDestinationRoutes {
    struct Create: Decodable {
        var name: String
        var kind: BackupDestination.Kind
        var path: String
        var host: String?
        var port: Int?
        var username: String?
        var privateKey: String?
        var passphrase: String?
        static let schema = Schema.object(
            properties: [
                "name": Schemas.name, "kind": .enumeration(BackupDestination.Kind.self),
                "path": .string(minLength: 1, maxLength: 1024, pattern: "^/"),
                "host": .string(minLength: 1, maxLength: 253), "port": Schemas.port,
                "username": .string(minLength: 1, maxLength: 32),
                "privateKey": .string(minLength: 1, maxLength: 16384),
                "passphrase": .string(minLength: 1, maxLength: 1024),
            ], required: ["name", "kind", "path"])
    }

    static let all: [APIRoute] = [
        APIRoute(
            .post, "/api/backup-destinations", access: .permission(.manage(.backups)),
            summary:
                "Add a backup destination: a directory on the control plane (local; created 0700 and checked "
                + "writable now) or on an SFTP host (host, port, username, privateKey, optional passphrase)",
            resource: "backups", body: Create.schema, status: .created, response: .reference("BackupDestination")
        ) { call in
            let caller = try call.caller
            let input = try call.decode(Create.self)
            try Validation.name(input.name)
            try checkPath(input.path)
            var destination = BackupDestination(
                organizationId: caller.organization.id, name: input.name, kind: input.kind, path: input.path,
                createdAt: call.backend.clock())
            var sealedKey: String?
            var sealedPassphrase: String?
            switch input.kind {
            case .local:
                let remoteOnly = [
                    ("host", input.host != nil), ("port", input.port != nil), ("username", input.username != nil),
                    ("privateKey", input.privateKey != nil), ("passphrase", input.passphrase != nil),
                ]
                if let given = remoteOnly.first(where: { $0.1 }) {
                    throw SlipwayError.invalid(given.0, "is for an sftp destination; a local one takes only a path")
                }
            case .sftp:
                guard let host = input.host else { throw SlipwayError.invalid("host", "is required for sftp") }
                try Validation.host(host)
                let port = input.port ?? 22
                try Validation.port(port)
                guard let username = input.username else {
                    throw SlipwayError.invalid("username", "is required for sftp")
                }
                try Validation.sshUser(username, field: "username")
                guard let key = input.privateKey else {
                    throw SlipwayError.invalid("privateKey", "is required for sftp: the key the SFTP host accepts")
                }
                guard key.contains("-----BEGIN"), key.contains("PRIVATE KEY-----") else {
                    throw SlipwayError.invalid(
                        "privateKey", "must be a PEM or OpenSSH private key ('-----BEGIN ... PRIVATE KEY-----')")
                }
                if let passphrase = input.passphrase { try Validation.passphrase(passphrase) }
                (destination.host, destination.port, destination.username) = (host, port, username)
                destination.hasPrivateKey = true
                sealedKey = try call.backend.secrets.seal(key)
                sealedPassphrase = try input.passphrase.map(call.backend.secrets.seal)
            }
            // Refused before the directory is made, so a taken name leaves nothing behind.
            if try await call.store.backupDestinations(organizationId: caller.organization.id)
                .contains(where: { $0.name == input.name })
            {
                throw SlipwayError.conflict("name", "a backup destination named '\(input.name)' already exists")
            }
            if input.kind == .local {
                if let root = call.backend.backupRoot, !BackupDestination.path(input.path, isInside: root) {
                    throw SlipwayError.invalid(
                        "path",
                        "must be inside the control plane's backup root \(root) (slipway serve --backup-root)")
                }
                try LocalDirectory.ensureWritable(input.path, field: "path")
            }
            try await call.store.createBackupDestination(
                destination, encryptedPrivateKey: sealedKey, encryptedPassphrase: sealedPassphrase)
            return .json(destination)
        },
        APIRoute(
            .get, "/api/backup-destinations", access: .permission(.view(.backups)),
            summary: "The organization's backup destinations", resource: "backups",
            response: Schemas.list("BackupDestination")
        ) { call in
            .json(ItemList(try await call.store.backupDestinations(organizationId: try call.caller.organization.id)))
        },
        APIRoute(
            .get, "/api/backup-destinations/{destinationId}", access: .permission(.view(.backups)),
            summary: "One backup destination (never its key)", resource: "backups",
            response: .reference("BackupDestination")
        ) { call in
            guard
                let destination = try await call.store.backupDestination(
                    organizationId: try call.caller.organization.id, id: try call.parameter("destinationId"))
            else { throw SlipwayError.notFound("backup destination") }
            return .json(destination)
        },
        APIRoute(
            .post, "/api/backup-destinations/{destinationId}/check", access: .permission(.manage(.backups)),
            summary:
                "Connect to a destination now (pinning an SFTP host's key at the first connection), write a small "
                + "file in a fresh .slipway-check-* directory there, read it back and remove it. A refused key is a "
                + "422 on privateKey, a directory the user cannot write a 422 on path, a changed host key a 409, "
                + "a host that cannot be reached a 503",
            resource: "backups", response: .reference("BackupDestination")
        ) { call in
            guard
                let destination = try await call.store.backupDestination(
                    organizationId: try call.caller.organization.id, id: try call.parameter("destinationId"))
            else { throw SlipwayError.notFound("backup destination") }
            // The engine names what to fix in each failure (field and kind); nothing left to translate here.
            return .json(try await call.backend.backups.check(destination))
        }.reachingServer(),
        APIRoute(
            .delete, "/api/backup-destinations/{destinationId}", access: .permission(.manage(.backups)),
            summary:
                "Forget a backup destination no schedule or backup uses (409 destination_in_use otherwise); the "
                + "files there stay",
            resource: "backups", status: .noContent, response: nil
        ) { call in
            guard
                try await call.store.deleteBackupDestination(
                    organizationId: try call.caller.organization.id, id: try call.parameter("destinationId"))
            else { throw SlipwayError.notFound("backup destination") }
            return .empty
        },
    ]

    /// An absolute directory that stays one plain path wherever it is used: no NUL or other control
    /// characters, no `..` component.
    static func checkPath(_ path: String, field: String = "path") throws {
        guard path.hasPrefix("/"), (1...1024).contains(path.utf8.count) else {
            throw SlipwayError.invalid(field, "must be an absolute directory path, like /var/backups/slipway")
        }
        guard !path.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw SlipwayError.invalid(field, "must not contain control characters")
        }
        guard !path.split(separator: "/").contains("..") else {
            throw SlipwayError.invalid(field, "must not contain a '..' component")
        }
    }
}

extension BackupDestination: IdentifiedRecord {}
