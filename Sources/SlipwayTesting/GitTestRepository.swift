import Foundation
import SlipwayDrivers

/// A git repository made by a test in a temporary directory (readable by every user, so the test sshd's
/// user can fetch it too), with commits made from files given as text. Its URL is `file://...`.
public struct GitTestRepository: Sendable {
    public let directory: String
    public var url: String { "file://" + directory }

    /// An empty repository whose first branch is `main`.
    public static func make() async throws -> GitTestRepository {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "slipway-git-\(UUID().uuidString.prefix(8).lowercased())"
        ).path
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let repository = GitTestRepository(directory: directory)
        try await repository.git(["init", "--quiet", "--initial-branch=main"])
        return repository
    }

    /// Writes `files` (path to text; a nil text deletes the file), commits them on the current branch with
    /// `message`, and answers the commit's full sha.
    @discardableResult
    public func commit(_ files: [String: String?], message: String) async throws -> String {
        for (path, text) in files {
            let url = URL(fileURLWithPath: directory).appendingPathComponent(path)
            if let text {
                try FileManager.default.createDirectory(
                    at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(text.utf8).write(to: url)
            } else {
                try? FileManager.default.removeItem(at: url)
            }
        }
        try await git(["add", "--all"])
        try await git([
            "-c", "user.name=Test Author", "-c", "user.email=author@example.test", "commit", "--quiet",
            "--allow-empty", "-m", message,
        ])
        return try await head()
    }

    /// The sha of the current commit.
    public func head() async throws -> String {
        try await git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Tags the current commit (a lightweight tag).
    public func tag(_ name: String) async throws {
        try await git(["tag", name])
    }

    /// Switches to `branch`, making it from the current commit when it does not exist.
    public func checkout(_ branch: String) async throws {
        let exists = (try? await git(["rev-parse", "--verify", "--quiet", "refs/heads/\(branch)"])) != nil
        try await git(exists ? ["checkout", "--quiet", branch] : ["checkout", "--quiet", "-b", branch])
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    @discardableResult
    func git(_ arguments: [String]) async throws -> String {
        // Files the tests write must stay readable by the test sshd's user.
        let process = try LocalProcess.start(
            ["git", "-C", directory] + arguments, environment: ProcessInfo.processInfo.environment)
        let result = await process.collect()
        guard result.termination.exitCode == 0 else {
            throw GitTestRepositoryError(
                "git \(arguments.joined(separator: " ")) failed: \(String(decoding: result.stderr, as: UTF8.self))")
        }
        return String(decoding: result.stdout, as: UTF8.self)
    }
}

public struct GitTestRepositoryError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
