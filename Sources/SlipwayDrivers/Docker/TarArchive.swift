import Foundation

/// A tar archive written in memory (POSIX ustar, with a PAX header for paths longer than 100 bytes): the
/// build context sent to `POST /build`, or a root file system to import.
///
/// Entries get owner root, a fixed modification time and the permission bits given, so the same files
/// always make the same bytes and the engine's build cache hits.
public struct TarArchive: Sendable {
    /// The archive so far, without the two zero blocks that end it; see ``bytes``.
    var body = Data()

    public init() {}

    /// An archive made elsewhere (`git archive --format=tar`), sent as it is.
    public init(archive: Data) {
        body = archive
    }

    /// The finished archive.
    public var bytes: Data {
        body + Data(count: 2 * Self.blockSize)
    }

    /// Adds a regular file. `path` is relative (`app/main.py`); `mode` the permission bits.
    public mutating func addFile(_ path: String, contents: Data, mode: Int = 0o644) throws {
        try append(path: path, type: "0", mode: mode, size: contents.count, linkTarget: "")
        body.append(contents)
        padToBlock()
    }

    /// Adds a regular file with UTF-8 text.
    public mutating func addFile(_ path: String, text: String, mode: Int = 0o644) throws {
        try addFile(path, contents: Data(text.utf8), mode: mode)
    }

    /// Adds a directory.
    public mutating func addDirectory(_ path: String, mode: Int = 0o755) throws {
        try append(path: path, type: "5", mode: mode, size: 0, linkTarget: "")
    }

    /// Adds a symbolic link at `path` pointing to `target` (stored as given, usually relative).
    public mutating func addSymbolicLink(_ path: String, target: String) throws {
        try append(path: path, type: "2", mode: 0o777, size: 0, linkTarget: target)
    }

    /// An archive of everything under `directory` (regular files, directories, symbolic links), with paths
    /// relative to it, in sorted order. Names in `excluding` (like `.git`) are left out at any depth;
    /// sockets and devices are skipped.
    public static func directory(at directory: URL, excluding: Set<String> = []) throws -> TarArchive {
        var archive = TarArchive()
        try archive.addTree(at: directory.path, relative: "", excluding: excluding)
        return archive
    }

    private mutating func addTree(at root: String, relative: String, excluding: Set<String>) throws {
        let fileManager = FileManager.default
        let directory = relative.isEmpty ? root : root + "/" + relative
        for name in try fileManager.contentsOfDirectory(atPath: directory).sorted() where !excluding.contains(name) {
            let path = relative.isEmpty ? name : relative + "/" + name
            let full = root + "/" + path
            // attributesOfItem does not follow symbolic links (lstat), so a link is stored as a link.
            let attributes = try fileManager.attributesOfItem(atPath: full)
            let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0o644
            switch attributes[.type] as? FileAttributeType {
            case .typeDirectory?:
                try addDirectory(path, mode: mode)
                try addTree(at: root, relative: path, excluding: excluding)
            case .typeRegular?:
                try addFile(path, contents: try Data(contentsOf: URL(fileURLWithPath: full)), mode: mode)
            case .typeSymbolicLink?:
                try addSymbolicLink(path, target: try fileManager.destinationOfSymbolicLink(atPath: full))
            default:
                continue
            }
        }
    }

    static let blockSize = 512

    private mutating func append(path: String, type: Character, mode: Int, size: Int, linkTarget: String) throws {
        let name = try Self.checked(path) + (type == "5" ? "/" : "")
        guard size < 0o77777777777 else {
            throw TarArchiveError(path: path, message: "file too large for a tar header (\(size) bytes)")
        }
        guard !linkTarget.utf8.contains(0) else {
            throw TarArchiveError(path: path, message: "link target contains a NUL byte")
        }
        var pax: [(String, String)] = []
        if name.utf8.count > 100 { pax.append(("path", name)) }
        if linkTarget.utf8.count > 100 { pax.append(("linkpath", linkTarget)) }
        if !pax.isEmpty {
            let records = Data(pax.map { Self.paxRecord(key: $0.0, value: $0.1) }.joined().utf8)
            body.append(Self.header(name: "PaxHeaders/entry", type: "x", mode: 0o644, size: records.count, link: ""))
            body.append(records)
            padToBlock()
        }
        body.append(Self.header(name: name, type: type, mode: mode, size: size, link: linkTarget))
    }

    private mutating func padToBlock() {
        let remainder = body.count % Self.blockSize
        if remainder != 0 {
            body.append(Data(count: Self.blockSize - remainder))
        }
    }

    /// A relative path with no `..`, empty or absolute components, and no NUL.
    private static func checked(_ path: String) throws -> String {
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !path.isEmpty, !path.hasPrefix("/"), !path.utf8.contains(0),
            !components.contains(where: { $0 == ".." || $0.isEmpty })
        else {
            throw TarArchiveError(path: path, message: "paths in an archive must be relative, without '..'")
        }
        return path
    }

    /// One PAX record: `"<length> <key>=<value>\n"`, where the length counts the whole record.
    private static func paxRecord(key: String, value: String) -> String {
        let rest = " \(key)=\(value)\n"
        var length = rest.utf8.count
        while String(length).count + rest.utf8.count != length {
            length = String(length).count + rest.utf8.count
        }
        return "\(length)\(rest)"
    }

    /// One ustar header block. Owner and group are root unless given (numeric ids, no names then); the
    /// streamed write of ``DockerClient/writeFile(inContainer:path:size:mode:owner:timeout:contents:)`` uses it too.
    static func header(
        name: String, type: Character, mode: Int, size: Int, link: String, owner: (uid: Int, gid: Int) = (0, 0)
    ) -> Data {
        var header = [UInt8](repeating: 0, count: blockSize)
        func put(_ text: String, at offset: Int, width: Int) {
            for (index, byte) in text.utf8.prefix(width).enumerated() {
                header[offset + index] = byte
            }
        }
        func octal(_ value: Int, width: Int) -> String {
            let digits = String(value, radix: 8)
            return String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits
        }
        put(name, at: 0, width: 100)
        put(octal(mode & 0o7777, width: 8), at: 100, width: 7)
        put(octal(owner.uid, width: 8), at: 108, width: 7)
        put(octal(owner.gid, width: 8), at: 116, width: 7)
        put(octal(size, width: 12), at: 124, width: 11)
        put(octal(0, width: 12), at: 136, width: 11)
        put(String(type), at: 156, width: 1)
        put(link, at: 157, width: 100)
        put("ustar", at: 257, width: 6)
        put("00", at: 263, width: 2)
        put(owner.uid == 0 ? "root" : "", at: 265, width: 32)
        put(owner.gid == 0 ? "root" : "", at: 297, width: 32)
        // The checksum is the byte sum with its own field counted as spaces.
        put("        ", at: 148, width: 8)
        let checksum = header.reduce(0) { $0 + Int($1) }
        put(octal(checksum, width: 7) + "\0 ", at: 148, width: 8)
        return Data(header)
    }
}

/// A file that cannot go into a ``TarArchive``, and why.
public struct TarArchiveError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String

    public var description: String { "tar: \(path): \(message)" }
}
