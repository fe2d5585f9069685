import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization

extension DockerClient {
    /// Writes one regular file into one of Slipway's running containers, streaming: `contents` hands the
    /// bytes to the writer as they come (from a backup destination, say), and they travel to the engine
    /// as a tar archive (`PUT /containers/{id}/archive`) without the whole file in memory.
    ///
    /// `size` is declared up front (it goes in the tar header): `contents` must deliver exactly that many
    /// bytes, or the write fails. The file lands under a temporary name in the same directory (which must
    /// exist) and is renamed to `path` only once every byte arrived; when anything fails, nothing is left
    /// behind. `owner` takes numeric ids (the container's `postgres`, say); the rename and the cleanup run
    /// `mv` and `rm` in the container as root. Everything must finish within `timeout`, plus the client's
    /// request timeout.
    public func writeFile(
        inContainer container: String, path: String, size: Int, mode: Int = 0o644,
        owner: (uid: Int, gid: Int) = (0, 0), timeout: Duration = .seconds(3600),
        contents: @escaping @Sendable (ContainerFileWriter) async throws -> Void
    ) async throws {
        let operation = "write a file into"
        let (directory, name) = try Self.splitFilePath(path, operation: operation)
        guard size >= 0, size < 0o77777777777, (0...0o7777777).contains(owner.uid), (0...0o7777777).contains(owner.gid)
        else {
            throw DockerError(
                .invalidRequest, message: "cannot write \(size) bytes owned by \(owner.uid):\(owner.gid)",
                operation: "\(operation) \(container)")
        }
        let id = try await managedContainerId(container, operation: operation)
        let partialName = "\(name).partial-\(String(UInt64.random(in: 0...UInt64.max), radix: 16))"
        let partial = (directory == "/" ? "" : directory) + "/" + partialName

        let permits = AsyncSemaphore(limit: ContainerFileWriter.bufferedChunks)
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: ByteBuffer.self)
        let writer = ContainerFileWriter(size: size, permits: permits, continuation: continuation)
        var request = DockerRequest(.put, "/containers/\(id)/archive", query: [("path", directory)])
        request.contentType = "application/x-tar"
        request.extraTime = timeout
        let blocks = TarArchive.blockSize
        let length = blocks + (size + blocks - 1) / blocks * blocks + 2 * blocks
        request.streamedBody = .stream(
            PermitReleasingBody(stream: stream, permits: permits), length: .known(Int64(length)))
        let header = TarArchive.header(
            name: partialName, type: "0", mode: mode, size: size, link: "", owner: owner)

        // The producer and the upload run side by side; the first failure stops the other. The producer's
        // own error (a short stream, a wrong checksum) is the one worth reporting.
        let (producerError, uploadError) = await withTaskGroup(of: (Bool, (any Error)?).self) { group in
            group.addTask {
                do {
                    try await writer.send(ByteBuffer(bytes: header))
                    try await contents(writer)
                    try await writer.finish()
                    writer.close()
                    return (true, nil)
                } catch {
                    writer.close(failing: error)
                    return (true, error)
                }
            }
            group.addTask { [request] in
                do {
                    _ = try await data(request)
                    return (false, nil)
                } catch {
                    return (false, error)
                }
            }
            var errors: (producer: (any Error)?, upload: (any Error)?) = (nil, nil)
            for await (isProducer, error) in group {
                guard let error else { continue }
                if isProducer { errors.producer = error } else { errors.upload = error }
                group.cancelAll()
            }
            return errors
        }
        let failure: (any Error)? =
            if let producerError, !(producerError is CancellationError) || uploadError == nil {
                producerError
            } else {
                uploadError
            }
        do {
            if let failure { throw failure }
            try await execAsRoot(id, ["mv", "-f", "--", partial, path], operation: "\(operation) \(container)")
        } catch {
            // The engine unpacks as the bytes arrive: a stream cut short may have left part of the file.
            _ = try? await exec(id, command: ["rm", "-f", "--", partial], user: "0", timeout: .seconds(30))
            throw error
        }
    }

    /// An absolute path's directory and last component; the name must fit a tar header with the
    /// temporary suffix.
    static func splitFilePath(_ path: String, operation: String) throws -> (directory: String, name: String) {
        guard path.hasPrefix("/"), !path.hasSuffix("/"), !path.utf8.contains(0),
            let slash = path.lastIndex(of: "/")
        else {
            throw DockerError(.invalidRequest, message: "\(path) is not an absolute file path", operation: operation)
        }
        let name = String(path[path.index(after: slash)...])
        let directory = slash == path.startIndex ? "/" : String(path[..<slash])
        guard name != ".", name != "..", name.utf8.count <= 64 else {
            throw DockerError(
                .invalidRequest, message: "the file name \(name) is . or .., or longer than 64 bytes",
                operation: operation)
        }
        return (directory, name)
    }

    private func execAsRoot(_ container: String, _ command: [String], operation: String) async throws {
        let result = try await exec(container, command: command, user: "0", timeout: .seconds(60))
        guard result.exitCode == 0 else {
            throw DockerError(
                .engineError, message: "\(command.joined(separator: " ")) exited \(result.exitCode): \(result.stderr)",
                operation: operation)
        }
    }
}

/// Takes a file's bytes for ``DockerClient/writeFile(inContainer:path:size:mode:owner:timeout:contents:)``
/// and hands them to the upload as the engine takes them: a few chunks are buffered at most.
public final class ContainerFileWriter: Sendable {
    static let bufferedChunks = 8

    let size: Int
    let permits: AsyncSemaphore
    let continuation: AsyncThrowingStream<ByteBuffer, any Error>.Continuation
    private let written = Mutex(0)

    init(size: Int, permits: AsyncSemaphore, continuation: AsyncThrowingStream<ByteBuffer, any Error>.Continuation) {
        self.size = size
        self.permits = permits
        self.continuation = continuation
    }

    /// Sends the next bytes of the file; waits while the engine is behind. More bytes than the declared
    /// size throw.
    public func write(_ data: Data) async throws {
        guard !data.isEmpty else { return }
        let total = written.withLock { written in
            written += data.count
            return written
        }
        guard total <= size else {
            throw DockerError(
                .invalidRequest, message: "the stream holds more than the declared \(size) bytes",
                operation: "write a file into")
        }
        try await send(ByteBuffer(bytes: data))
    }

    func send(_ buffer: ByteBuffer) async throws {
        try await permits.acquire()
        continuation.yield(buffer)
    }

    /// Checks the stream delivered the declared size, then ends the archive (padding, two zero blocks).
    func finish() async throws {
        let total = written.withLock { $0 }
        guard total == size else {
            throw DockerError(
                .invalidRequest, message: "the stream ended after \(total) of the declared \(size) bytes",
                operation: "write a file into")
        }
        let blocks = TarArchive.blockSize
        let padding = (blocks - size % blocks) % blocks
        try await send(ByteBuffer(repeating: 0, count: padding + 2 * blocks))
    }

    /// Ends the upload's body: normally, or with `error` (the engine then sees the request cut short).
    func close(failing error: (any Error)? = nil) {
        continuation.finish(throwing: error)
    }
}

/// The upload's view of the writer's chunks: each one taken frees a place for the next.
struct PermitReleasingBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let stream: AsyncThrowingStream<ByteBuffer, any Error>
    let permits: AsyncSemaphore

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<ByteBuffer, any Error>.AsyncIterator
        let permits: AsyncSemaphore

        mutating func next() async throws -> ByteBuffer? {
            let buffer = try await base.next()
            if buffer != nil { permits.release() }
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: stream.makeAsyncIterator(), permits: permits)
    }
}
