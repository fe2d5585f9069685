import Foundation
import SlipwayCore

/// A backup destination opened for one job: files addressed by paths relative to the destination's
/// directory (made of ids only, like `INSTANCE/BACKUP/database.dump`).
protocol BackupStorage: Sendable {
    /// Writes `relativePath` (its directories made as needed) with what `body` hands the writer; the file
    /// appears under that name only when `body` returns, and nothing is left behind when it throws.
    func write(_ relativePath: String, _ body: (any BackupFileWriter) async throws -> Void) async throws
    /// Reads the file from start to end, in order.
    func read(_ relativePath: String, chunk: (Data) async throws -> Void) async throws
    /// Removes a directory and everything in it; one that is not there is no error.
    func removeDirectory(_ relativePath: String) async throws
    /// How the destination names `relativePath` to a person (`/backups/INSTANCE/BACKUP`, `sftp://host/...`).
    func describe(_ relativePath: String) -> String
    func close() async
}

/// One file being written to a destination.
protocol BackupFileWriter: Sendable {
    func write(_ data: Data) async throws
}
