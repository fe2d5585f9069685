import Foundation
import SlipwayCore
import SlipwayDrivers

/// A directory on an SFTP host, through Slipway's SSH transport. A file is written as `NAME.partial`
/// and renamed when finished.
struct SFTPBackupStorage: BackupStorage {
    let connection: SSHConnection
    let session: SFTPSession
    let root: String
    let label: String

    func path(_ relativePath: String) -> String {
        (root.hasSuffix("/") ? String(root.dropLast()) : root) + "/" + relativePath
    }

    func write(_ relativePath: String, _ body: (any BackupFileWriter) async throws -> Void) async throws {
        let target = path(relativePath)
        let directory = String(target[..<(target.lastIndex(of: "/") ?? target.endIndex)])
        try await session.makeDirectories(directory)
        let partial = target + ".partial"
        do {
            try await session.write(partial) { try await body(SFTPBackupFileWriter(writer: $0)) }
            // OpenSSH replaces the target atomically (posix-rename); a server without it refuses an
            // existing target, which then goes first.
            do {
                try await session.rename(partial, to: target)
            } catch let error as SFTPError {
                guard try await session.size(target) != nil else { throw error }
                try await session.remove(target)
                try await session.rename(partial, to: target)
            }
        } catch {
            try? await session.remove(partial)
            throw error
        }
    }

    func read(_ relativePath: String, chunk: (Data) async throws -> Void) async throws {
        try await session.read(path(relativePath), chunk: chunk)
    }

    func removeDirectory(_ relativePath: String) async throws {
        let directory = path(relativePath)
        guard try await session.size(directory) != nil else { return }
        for name in try await session.list(directory) {
            try await session.remove(directory + "/" + name)
        }
        try await session.removeDirectory(directory)
    }

    func describe(_ relativePath: String) -> String { label + path(relativePath) }

    func close() async {
        await session.close()
        await connection.close()
    }
}

/// Hands a destination file's bytes to the SFTP writer.
struct SFTPBackupFileWriter: BackupFileWriter {
    let writer: SFTPFileWriter

    func write(_ data: Data) async throws {
        try await writer.write(data)
    }
}
