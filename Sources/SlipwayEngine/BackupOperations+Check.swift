import Foundation
import SlipwayCore
import SlipwayDrivers

extension BackupOperations {
    /// Proves a destination usable now rather than at the first backup, hours later: opens it as a backup
    /// would (an SFTP host's key is pinned at this first connection), writes a small file under a fresh
    /// `.slipway-check-<random>/` directory, reads it back, and removes the directory, also when a step
    /// failed. Answers the destination as stored afterwards (with the pinned host key); throws a
    /// `SlipwayError` naming what to fix: the key (`privateKey`), the directory (`path`), or the host when
    /// it cannot be reached (`unavailable`).
    public func check(_ destination: BackupDestination) async throws -> BackupDestination {
        let storage: any BackupStorage
        do {
            storage = try await open(destination)
        } catch {
            throw Self.checkFailure(error, destination)
        }
        let directory = ".slipway-check-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let probe = directory + "/probe"
        let content = Data("Slipway checks that it can write here; this file is removed at once.\n".utf8)
        var failure: (any Error)?
        do {
            try await storage.write(probe) { try await $0.write(content) }
            var read = Data()
            try await storage.read(probe) { read.append($0) }
            guard read == content else {
                throw SlipwayError(
                    .invalid, code: "backup_destination_corrupt",
                    message: "\(storage.describe(probe)) did not read back as written (\(read.count) of "
                        + "\(content.count) bytes): the storage there loses or changes data.", field: "path")
            }
        } catch {
            failure = error
        }
        do {
            try await storage.removeDirectory(directory)
        } catch {
            if failure == nil {
                failure = SlipwayError(
                    .invalid, code: "backup_destination_cleanup",
                    message: "wrote and read back \(storage.describe(probe)), but could not remove "
                        + "\(storage.describe(directory)): \(Self.reason(error)). Remove it by hand and allow the "
                        + "user to delete files there (retention deletes old backups).", field: "path")
            }
        }
        await storage.close()
        if let failure { throw Self.checkFailure(failure, destination) }
        guard
            let stored = try await store.backupDestination(
                organizationId: destination.organizationId, id: destination.id)
        else { throw SlipwayError.notFound("backup destination") }
        return stored
    }

    /// What a failed check means to the person who set the destination up: which field to fix and how.
    /// Cancellation and our own refusals pass through as they are.
    static func checkFailure(_ error: any Error, _ destination: BackupDestination) -> any Error {
        if error is CancellationError || error is SlipwayError { return error }
        let host = "\(destination.host ?? "?"):\(destination.port ?? 22)"
        let user = destination.username ?? "?"
        let again = "then check again."
        if let error = error as? SSHError {
            switch error {
            case .authenticationFailed(let detail):
                return SlipwayError(
                    .invalid, code: error.code,
                    message: "the SFTP host \(host) refused the key for \(user): \(detail). Add the key's public "
                        + "half to ~\(user)/.ssh/authorized_keys there (and check the user name and passphrase), "
                        + again, field: "privateKey")
            case .hostKeyMismatch(let expected, let found):
                return SlipwayError(
                    .conflict, code: error.code,
                    message: "the SFTP host \(host) presented the host key \(found), not the pinned "
                        + "\(expected.isEmpty ? destination.hostKeyFingerprint ?? "one" : expected); nothing was "
                        + "sent to it. If its keys were changed on purpose, remove this destination and add it "
                        + "again; otherwise someone may be intercepting the connection.", field: "host")
            case .invalidTarget(let field, let reason):
                return SlipwayError(
                    .invalid, code: error.code, message: "the SFTP settings are not usable: \(reason)",
                    field: field == "user" ? "username" : field == "credential" ? "privateKey" : field)
            case .localFailure(let reason):
                return SlipwayError(
                    .internal, code: error.code, message: "SSH failed on the control plane's machine: \(reason)")
            default:
                return SlipwayError(
                    .unavailable, code: "ssh_unreachable",
                    message: "the SFTP host \(host) cannot be reached over SSH (\(Self.reason(error))). Check the "
                        + "host name and port, and that the control plane's machine may connect to it, " + again,
                    field: "host")
            }
        }
        if let error = error as? SFTPError {
            switch error.kind {
            case .permissionDenied, .noSuchFile, .notADirectory, .failure, .invalidPath:
                return SlipwayError(
                    .invalid, code: error.code,
                    message: "\(user) cannot write in \(destination.path) on \(host): \(error.message) Make the "
                        + "directory writable for \(user) (or choose another path), " + again, field: "path")
            case .subsystemUnavailable:
                return SlipwayError(
                    .invalid, code: error.code,
                    message: "the SSH server at \(host) offers no SFTP: \(error.message) Enable it there, " + again,
                    field: "host")
            default:
                return SlipwayError(
                    .unavailable, code: error.code,
                    message: "the SFTP host \(host) stopped answering: \(error.message) Check that it is up and "
                        + "reachable, " + again,
                    field: "host")
            }
        }
        if destination.kind == .local {
            return SlipwayError(
                .invalid, code: "backup_destination_unwritable",
                message: "the control plane cannot write in \(destination.path): \(Self.reason(error)). Make the "
                    + "directory writable for the user `slipway serve` runs as, " + again, field: "path")
        }
        return SlipwayError(
            .unavailable, code: "backup_destination_unusable",
            message: "the SFTP destination \(destination.name) could not be used: \(Self.reason(error)).",
            field: "host")
    }

    /// An error's words, without its code.
    private static func reason(_ error: any Error) -> String {
        switch error {
        case let error as SSHError:
            switch error {
            case .unreachable(let reason), .connectionLost(let reason): reason
            case .timedOut(let after): "no answer within \(after)"
            default: error.message(server: "the host")
            }
        case let error as SFTPError: error.message
        case let error as SnapshotFailure: error.description
        case let error as CocoaError: error.localizedDescription
        default: "\(error)"
        }
    }
}
