import Foundation
import SlipwayCore

/// A directory on the control plane's machine. Directories are made 0700 and files 0600; a file is
/// written as `NAME.partial` and renamed when finished, so a reader never sees half a backup.
struct LocalBackupStorage: BackupStorage {
    let root: URL

    init(path: String) {
        root = URL(fileURLWithPath: path, isDirectory: true)
    }

    func url(_ relativePath: String) -> URL {
        root.appendingPathComponent(relativePath)
    }

    func write(_ relativePath: String, _ body: (any BackupFileWriter) async throws -> Void) async throws {
        let target = url(relativePath)
        try FileManager.default.createDirectory(
            at: target.deletingLastPathComponent(), withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        let partial = target.appendingPathExtension("partial")
        guard
            FileManager.default.createFile(atPath: partial.path, contents: nil, attributes: [.posixPermissions: 0o600])
        else { throw SnapshotFailure("cannot create \(partial.path) on the control plane") }
        let writer = LocalBackupFileWriter(handle: try FileHandle(forWritingTo: partial))
        do {
            try await body(writer)
            try writer.handle.synchronize()
            try writer.handle.close()
            if FileManager.default.fileExists(atPath: target.path) { try FileManager.default.removeItem(at: target) }
            try FileManager.default.moveItem(at: partial, to: target)
        } catch {
            try? writer.handle.close()
            try? FileManager.default.removeItem(at: partial)
            throw error
        }
    }

    func read(_ relativePath: String, chunk: (Data) async throws -> Void) async throws {
        let handle = try FileHandle(forReadingFrom: url(relativePath))
        defer { try? handle.close() }
        while let data = try handle.read(upToCount: 1 << 20), !data.isEmpty {
            try Task.checkCancellation()
            try await chunk(data)
        }
    }

    func removeDirectory(_ relativePath: String) async throws {
        let target = url(relativePath)
        guard FileManager.default.fileExists(atPath: target.path) else { return }
        try FileManager.default.removeItem(at: target)
    }

    func describe(_ relativePath: String) -> String { url(relativePath).path }

    func close() async {}
}

/// Writes through a file handle; the handle is used by one task at a time (the copy), hence unchecked.
final class LocalBackupFileWriter: BackupFileWriter, @unchecked Sendable {
    let handle: FileHandle

    init(handle: FileHandle) {
        self.handle = handle
    }

    func write(_ data: Data) async throws {
        try handle.write(contentsOf: data)
    }
}
