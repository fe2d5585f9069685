import Foundation
import Logging
import SlipwayCore
import SlipwayDrivers
import SlipwayStore

/// Snapshots of an instance: its database (`pg_dump` custom format, run in the server's PostgreSQL
/// service container so the versions match) and its filestore (a tar archive of its volume), written
/// to the server's snapshot volume under the snapshot's id, each with its size and sha256 recorded.
/// A dump that is empty, does not read back, or whose checksum does not match is never completed or
/// restored.
public struct SnapshotOperations: Sendable {
    let instances: InstanceOperations

    public init(instances: InstanceOperations) {
        self.instances = instances
    }

    var store: any Store { instances.store }

    /// The files of a snapshot in the service's container.
    struct Files {
        let snapshotId: String
        var directory: String { DatabaseService.snapshotDirectory + "/" + snapshotId }
        var dump: String { directory + "/database.dump" }
        var archive: String { directory + "/filestore.tar.gz" }
        /// The archive as a one-off container sees it, with the snapshot volume at `/snapshots`.
        var archiveInOneOff: String { "/snapshots/\(snapshotId)/filestore.tar.gz" }

        init(_ snapshotId: String) {
            self.snapshotId = snapshotId
        }
    }

    struct Context {
        let instance: Instance
        let target: InstanceOperations.Target
        let service: DatabaseService
        let database: String
    }

    func context(_ instance: Instance, checkingRunning: Bool = true) async throws -> Context {
        let target = try await instances.target(instance)
        guard let database = instance.databaseName else {
            throw SlipwayError(.conflict, code: "no_database", message: "the instance has no database")
        }
        let service = DatabaseService(docker: target.docker, server: target.server, image: instances.images.database)
        try await service.ensure(
            superuserPassword: try await instances.databasePassword(target.server), checkingRunning: checkingRunning)
        return Context(instance: instance, target: target, service: service, database: database)
    }

    // MARK: Taking

    /// Takes the snapshot `snapshot` (its record exists) of its instance; the record ends `completed`
    /// with sizes and checksums, or `failed` with the reason, and the result is returned.
    @discardableResult
    public func take(_ snapshot: Snapshot) async throws -> Snapshot {
        var snapshot = snapshot
        guard let instance = try await store.instance(organizationId: snapshot.organizationId, id: snapshot.instanceId)
        else { throw SlipwayError.notFound("instance") }
        snapshot.status = .running
        snapshot = try await store.updateSnapshot(snapshot) ?? snapshot
        do {
            let context = try await context(instance, checkingRunning: false)
            let files = Files(snapshot.id)
            // The snapshot's directory, and PostgreSQL accepting connections (30 s at most), in one exec.
            try await context.service.run(
                [
                    "sh", "-c",
                    #"install -d -o postgres -m 0700 -- "$1" && n=0 && until pg_isready -q; do n=$((n + 1)); "#
                        + #"[ "$n" -lt 300 ] || { echo "PostgreSQL does not accept connections" >&2; exit 1; }; "#
                        + "sleep 0.1; done",
                    "slipway-prepare", files.directory,
                ], user: "root")
            try await context.service.run(["pg_dump", "--format=custom", "--file", files.dump, context.database])
            // The dump must read back (pg_restore lists its table of contents), in the exec that measures it.
            let dump = try await measure(files.dump, context.service, readBack: true)
            guard dump.bytes > 0 else { throw SnapshotFailure("the database dump is empty") }
            snapshot.databaseBytes = dump.bytes
            snapshot.databaseSha256 = dump.sha256
            if instance.kind == .odoo {
                try await archiveFilestore(instance, to: files, context)
                let archive = try await measure(files.archive, context.service)
                snapshot.filestoreBytes = archive.bytes
                snapshot.filestoreSha256 = archive.sha256
            }
            snapshot.sizeBytes = dump.bytes + (snapshot.filestoreBytes ?? 0)
            snapshot.location = "\(context.service.snapshotVolume):/\(snapshot.id)/"
            snapshot.status = .completed
            snapshot.statusReason = nil
            snapshot.completedAt = Date()
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            snapshot.status = .failed
            snapshot.statusReason = "\(error)"
            snapshot.completedAt = Date()
        }
        return try await store.updateSnapshot(snapshot) ?? snapshot
    }

    /// Size and sha256 of a file in the service's container, in one exec; with `readBack`, also checked by
    /// `pg_restore --list`, which must read the file as a dump (it fails the exec when it cannot). The path
    /// is an argument of the fixed script, never part of it.
    func measure(_ path: String, _ service: DatabaseService, readBack: Bool = false) async throws -> (
        bytes: Int, sha256: String
    ) {
        // An empty file is measured, not read back: the caller says it is empty.
        let script =
            #"stat --format=%s -- "$1" && sha256sum -- "$1""#
            + (readBack ? #" && { [ ! -s "$1" ] || pg_restore --list -- "$1" >/dev/null; }"# : "")
        let output = try await service.run(["sh", "-c", script, "slipway-measure", path])
        let lines = output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let size = lines.first ?? ""
        let sum = lines.dropFirst().first?.split(separator: " ").first.map(String.init) ?? ""
        guard lines.count == 2, let bytes = Int(size), sum.count == 64 else {
            throw SnapshotFailure("cannot measure \(path): \(output.prefix(300))")
        }
        return (bytes, sum)
    }

    /// Archives the instance's filestore volume into the snapshot's directory, in a one-off container of
    /// the database image (it has tar), with numeric owners so files come back as Odoo's user.
    func archiveFilestore(_ instance: Instance, to files: Files, _ context: Context) async throws {
        try await oneOff(
            instance, context, readOnlyFilestore: true,
            ["tar", "--numeric-owner", "-C", "/filestore", "-czf", files.archiveInOneOff, "."])
    }

    /// Runs `argv` in a one-off container of the database image with the instance's filestore at
    /// `/filestore` and the server's snapshot volume at `/snapshots`, then removes it; answers its standard
    /// output. A non-zero exit throws.
    @discardableResult
    func oneOff(_ instance: Instance, _ context: Context, readOnlyFilestore: Bool, _ argv: [String]) async throws
        -> String
    {
        var labels = instances.labels(instance)
        labels.extra["io.slipway.role"] = "snapshot"
        let spec = ContainerSpec(
            name: "slipway-\(instance.id)-snapshot-\(Identifier.secret(bytes: 4))", image: instances.images.database,
            command: argv,
            mounts: [
                .volume(name: instances.filestoreVolume(instance), target: "/filestore", readOnly: readOnlyFilestore),
                .volume(name: context.service.snapshotVolume, target: "/snapshots"),
            ])
        let id = try await context.target.docker.createContainer(spec, labels: labels)
        do {
            try await context.target.docker.startContainer(id)
            let code = try await context.target.docker.waitForContainer(id, timeout: .seconds(3600))
            let output = try await context.target.docker.logs(id).collect()
            try await context.target.docker.removeContainer(id, force: true, removeVolumes: true)
            guard code == 0 else {
                let last = output.suffix(20).map(\.text).joined(separator: " | ")
                throw SnapshotFailure("\(argv.first ?? "") exited \(code): \(last)")
            }
            return output.filter { $0.stream == .stdout }.map(\.text).joined(separator: "\n")
        } catch {
            try? await context.target.docker.removeContainer(id, force: true, removeVolumes: true)
            throw error
        }
    }

    // MARK: Estimating

    /// What the next snapshot of the instance will take, from its database's size and its filestore's
    /// (a dump is usually smaller than the database, an archive than the files: this is an upper bound).
    public func estimate(_ instance: Instance) async throws -> (databaseBytes: Int, filestoreBytes: Int) {
        let context = try await context(instance)
        let size = try await context.service.query(
            "SELECT pg_database_size(\(try PostgresQuoting.literal(context.database)))")
        var filestore = 0
        if instance.kind == .odoo {
            let output = try await oneOff(
                instance, context, readOnlyFilestore: true, ["du", "-s", "-B1", "/filestore"])
            filestore = Int(output.split(whereSeparator: \.isWhitespace).first ?? "") ?? 0
        }
        return (Int(size) ?? 0, filestore)
    }

    // MARK: Deleting

    /// Deletes the snapshot's files on the server, then its record (a pinned one is refused first).
    public func delete(_ snapshot: Snapshot) async throws {
        guard !snapshot.pinned else {
            throw SlipwayError(
                .conflict, code: "snapshot_pinned", message: "the snapshot is pinned: unpin it first to delete it")
        }
        if let instance = try await store.instance(organizationId: snapshot.organizationId, id: snapshot.instanceId) {
            let context = try await context(instance)
            try await context.service.run(["rm", "-rf", Files(snapshot.id).directory], user: "root")
        }
        _ = try await store.deleteSnapshot(organizationId: snapshot.organizationId, id: snapshot.id)
    }
}

/// Why a snapshot or a restore did not happen.
public struct SnapshotFailure: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
