import Foundation

/// An SFTP (version 3) session on a server, over the connection's SSH transport: `ssh -s ... sftp`
/// through the connection's master, speaking the protocol on that process's standard input and output.
/// Paths travel inside packets as their bytes; no shell sees them, and the `sftp` program is not used.
///
/// A session holds one of the connection's `maxSessions` for its whole life; `close()` gives it back.
/// Every reply has a deadline (`requestTimeout`), every wait honours cancellation, and when `ssh` dies
/// every pending and later request fails with `SFTPError.Kind.connectionLost` instead of hanging.
/// Relative paths start at the login user's home directory. Operations run in the caller's isolation
/// (`nonisolated(nonsending)`), so the `body` and `chunk` closures need not be `Sendable`, and several
/// may be in flight at once on one session.
///
/// ```swift
/// let sftp = try await connection.sftp()
/// try await sftp.makeDirectories("backups/odoo")
/// try await sftp.write("backups/odoo/dump.partial") { file in
///     for try await piece in dump { try await file.write(piece) }
/// }
/// try await sftp.rename("backups/odoo/dump.partial", to: "backups/odoo/dump")
/// await sftp.close()
/// ```
public actor SFTPSession {
    /// The bytes of one READ or WRITE request. OpenSSH's `sftp` uses the same; servers take at least this.
    public static let chunkSize = 32 * 1024
    /// How many READ or WRITE requests a transfer keeps unanswered at once (16 × 32 KiB = 512 KiB).
    public static let maximumInFlight = 16

    private let channel: SFTPChannel
    /// The one task of the session: moves the `ssh` process's events into the channel, and gives back
    /// the connection's session slot when the process has ended.
    private let reader: Task<Void, Never>
    /// Extensions the server announced in VERSION, by name (`posix-rename@openssh.com`: `1`).
    public let extensions: [String: String]
    private var isClosed = false

    private init(channel: SFTPChannel, reader: Task<Void, Never>, extensions: [String: String]) {
        self.channel = channel
        self.reader = reader
        self.extensions = extensions
    }

    deinit {
        // Dropped without close(): end the input so the server's sftp program and the local ssh exit.
        channel.close()
    }

    /// Starts reading `process` (an `ssh -s ... sftp` with streaming input), sends INIT and waits for
    /// VERSION 3. Errors are the channel's `End` (for the caller to tell a missing master from a refused
    /// subsystem) or `SFTPError`; on any error the process is stopped. `onEnd` runs once the process has
    /// ended, whatever happened.
    static func start(
        process: LocalProcess, requestTimeout: Duration, onEnd: @escaping @Sendable () -> Void
    ) async throws -> SFTPSession {
        let channel = SFTPChannel(process: process, requestTimeout: requestTimeout)
        let reader = Task {
            for await event in process.events { channel.receive(event) }
            onEnd()
        }
        do {
            try channel.sendInitialize()
            let reply = try await channel.response(to: 0)
            guard case .version(let version, let extensions) = reply, version == SFTPPacket.version else {
                throw SFTPError(
                    .protocolViolation, .start, path: "", detail: "the server answered INIT with \(reply)")
            }
            return SFTPSession(channel: channel, reader: reader, extensions: extensions)
        } catch {
            channel.terminate()
            throw error
        }
    }

    /// Creates `path` and the directories above it that are missing, each with `mode`, like `mkdir -p`.
    /// Directories that exist are left as they are; a file in the way is `notADirectory`.
    public nonisolated(nonsending) func makeDirectories(_ path: String, mode: UInt32 = 0o700) async throws {
        if try await isDirectory(path, for: SFTPCall(.makeDirectories, path)) == true { return }
        var current = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            current += (current.isEmpty || current.hasSuffix("/") ? "" : "/") + component
            let call = SFTPCall(.makeDirectories, current)
            let attributes = SFTPAttributes(permissions: mode & 0o7777)
            let response = try await channel.request(.mkdir(path: current, attributes: attributes), for: call)
            do {
                try channel.check(response, for: call)
            } catch {
                // Most likely it exists (SSH_FX_FAILURE): fine if it is a directory, made by us or anyone.
                switch try await isDirectory(current, for: call) {
                case true?: continue
                case false?: throw call.error(.notADirectory)
                case nil: throw error
                }
            }
        }
    }

    /// Creates or truncates `path` (a new file gets mode 0600; an existing one keeps its mode) and hands a
    /// writer to `body`, which writes the content from start to end; then waits for every write and closes
    /// the file. If anything fails (`body` throws, a write is refused, the task is cancelled) the file is
    /// closed and removed, so no half-written file is left at `path`, and the error is rethrown.
    public nonisolated(nonsending) func write(_ path: String, _ body: (SFTPFileWriter) async throws -> Void)
        async throws
    {
        let call = SFTPCall(.write, path)
        let attributes = SFTPAttributes(permissions: 0o600)
        let handle = try await channel.handle(
            .open(path: path, flags: [.write, .create, .truncate], attributes: attributes), for: call)
        let writer = SFTPFileWriter(channel: channel, handle: handle, path: path)
        do {
            try await body(writer)
            try await writer.finish()
            // A refused CLOSE can mean the last bytes never reached the disk: a failure like any other.
            try await channel.expectOK(.close(handle: handle), for: call)
        } catch {
            await writer.abandon()
            await discard(handle, removing: path)
            throw error
        }
    }

    /// Reads `path` from start to end, handing the bytes to `chunk` in order, in pieces of at most
    /// `chunkSize`. Several READs are in flight while `chunk` runs. If `chunk` throws, reading stops and
    /// the error is rethrown.
    public nonisolated(nonsending) func read(_ path: String, chunk: (Data) async throws -> Void) async throws {
        let call = SFTPCall(.read, path)
        let handle = try await channel.handle(
            .open(path: path, flags: [.read], attributes: SFTPAttributes()), for: call)
        var reads = SFTPReadQueue(handle: handle)
        do {
            try reads.fill { try channel.send($0, for: call) }
            while let next = reads.next() {
                let response = try await channel.reply(to: next.id, for: call)
                switch response {
                case .data(_, let bytes):
                    guard !bytes.isEmpty, bytes.count <= next.length else {
                        throw call.error(.protocolViolation, "\(bytes.count) bytes for a read of \(next.length)")
                    }
                    try await chunk(bytes)
                    try reads.received(bytes.count, for: next) { try channel.send($0, for: call) }
                case .status(_, let code, _) where code == SFTPStatus.endOfFile:
                    reads.reachedEnd { channel.abandon($0) }
                default:
                    try channel.check(response, for: call)
                    throw call.unexpected(response)
                }
                try reads.fill { try channel.send($0, for: call) }
            }
        } catch {
            reads.reachedEnd { channel.abandon($0) }
            channel.sendAndForget([.close(handle: handle)])
            throw error
        }
        try await channel.expectOK(.close(handle: handle), for: call)
    }

    /// The size of `path` in bytes (following a symbolic link), or nil when it does not exist.
    public nonisolated(nonsending) func size(_ path: String) async throws -> Int? {
        let call = SFTPCall(.size, path)
        guard let attributes = try await attributes(path, for: call) else { return nil }
        guard let size = attributes.size, let value = Int(exactly: size) else {
            throw call.error(.protocolViolation, "the server sent no size")
        }
        return value
    }

    /// The names in `directory`, without `.` and `..`, in the server's order.
    public nonisolated(nonsending) func list(_ directory: String) async throws -> [String] {
        let call = SFTPCall(.list, directory)
        let handle = try await channel.handle(.opendir(path: directory), for: call)
        var names: [String] = []
        do {
            reading: while true {
                let response = try await channel.request(.readdir(handle: handle), for: call)
                switch response {
                case .name(_, let entries):
                    names += entries.map(\.filename).filter { $0 != "." && $0 != ".." }
                case .status(_, let code, _) where code == SFTPStatus.endOfFile:
                    break reading
                default:
                    try channel.check(response, for: call)
                    throw call.unexpected(response)
                }
            }
        } catch {
            channel.sendAndForget([.close(handle: handle)])
            throw error
        }
        try await channel.expectOK(.close(handle: handle), for: call)
        return names
    }

    /// Removes the file `path` (not a directory).
    public nonisolated(nonsending) func remove(_ path: String) async throws {
        let call = SFTPCall(.remove, path)
        try await channel.expectOK(.remove(path: path), for: call)
    }

    /// Removes the empty directory `path`.
    public nonisolated(nonsending) func removeDirectory(_ path: String) async throws {
        let call = SFTPCall(.removeDirectory, path)
        try await channel.expectOK(.rmdir(path: path), for: call)
    }

    /// Renames `from` to `to`. On servers that offer `posix-rename@openssh.com` (OpenSSH) an existing
    /// `to` is replaced atomically, which is how a finished upload takes the place of the old one; with
    /// the plain RENAME of version 3 an existing `to` is a `failure`.
    public nonisolated(nonsending) func rename(_ from: String, to: String) async throws {
        let call = SFTPCall(.rename, from, destination: to)
        let request: SFTPPacket.Request =
            extensions["posix-rename@openssh.com"] == "1"
            ? .posixRename(from: from, to: to) : .rename(from: from, to: to)
        try await channel.expectOK(request, for: call)
    }

    /// Ends the session: requests still in flight fail with `closed`, the server's sftp program and the
    /// local `ssh` exit (stopped after 5 s if they do not), and the connection's session slot is free again.
    public func close() async {
        guard !isClosed else { return }
        isClosed = true
        channel.close()
        for _ in 0..<250 where !channel.hasExited {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if !channel.hasExited { channel.terminate() }
        await reader.value
    }

    /// STAT: nil when nothing is at `path`.
    private nonisolated(nonsending) func attributes(_ path: String, for call: SFTPCall) async throws -> SFTPAttributes?
    {
        let response = try await channel.request(.stat(path: path), for: call)
        switch response {
        case .attributes(_, let attributes): return attributes
        case .status(_, let code, _) where code == SFTPStatus.noSuchFile: return nil
        default:
            try channel.check(response, for: call)
            throw call.unexpected(response)
        }
    }

    /// Whether `path` is a directory; nil when nothing is there.
    private nonisolated(nonsending) func isDirectory(_ path: String, for call: SFTPCall) async throws -> Bool? {
        guard let attributes = try await attributes(path, for: call) else { return nil }
        return attributes.isDirectory ?? false
    }

    /// After a failed write: closes the handle and removes the partial file. Waits for the server when
    /// the task may still wait; a cancelled task only sends the requests (the server still runs them).
    private nonisolated(nonsending) func discard(_ handle: Data, removing path: String) async {
        guard !Task.isCancelled else {
            channel.sendAndForget([.close(handle: handle), .remove(path: path)])
            return
        }
        let call = SFTPCall(.write, path)
        try? await channel.expectOK(.close(handle: handle), for: call)
        try? await channel.expectOK(.remove(path: path), for: call)
    }
}
