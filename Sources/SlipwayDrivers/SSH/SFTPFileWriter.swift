import Foundation

/// Writes one open remote file from start to end (`SFTPSession.write(_:_:)` hands it out).
///
/// Bytes go out as WRITE requests of at most `SFTPSession.chunkSize`, up to `SFTPSession.maximumInFlight`
/// of them unanswered at once, so a large copy runs at the speed of the link rather than one round trip
/// per chunk. `write(_:)` returns once its bytes are sent; a failed WRITE is reported by a later
/// `write(_:)` or, at the latest, when the session finishes the file. The writer is valid only inside
/// the `body` it was handed to.
public actor SFTPFileWriter {
    private let channel: SFTPChannel
    private let handle: Data
    private let call: SFTPCall
    /// Where the next `write(_:)` starts. Each call takes its range when it starts, so calls that
    /// overlap in time still land one after the other, in the order they began.
    private var offset: UInt64 = 0
    private var inFlight: [UInt32] = []
    private var failure: (any Error)?
    /// Set once the session finished or abandoned the file: the handle is closed, so no more writes.
    private var isFinished = false

    init(channel: SFTPChannel, handle: Data, path: String) {
        self.channel = channel
        self.handle = handle
        self.call = SFTPCall(.write, path)
    }

    /// Appends `data` to the file.
    public func write(_ data: Data) async throws {
        if let failure { throw failure }
        guard !isFinished else { throw call.error(.closed, "the writer is used after its file was closed") }
        var start = data.startIndex
        var position = offset
        offset += UInt64(data.count)
        while start < data.endIndex {
            let end = min(start + SFTPSession.chunkSize, data.endIndex)
            while inFlight.count >= SFTPSession.maximumInFlight { try await settleOldest() }
            let request = SFTPPacket.Request.write(handle: handle, offset: position, data: data[start..<end])
            let id = try await remember { try channel.send(request, for: call) }
            inFlight.append(id)
            position += UInt64(end - start)
            start = end
        }
    }

    /// Waits for every WRITE still unanswered; throws the first failure.
    func finish() async throws {
        isFinished = true
        if let failure { throw failure }
        while !inFlight.isEmpty { try await settleOldest() }
    }

    /// Forgets the WRITEs still unanswered (after a failure): their replies are dropped.
    func abandon() {
        isFinished = true
        for id in inFlight { channel.abandon(id) }
        inFlight = []
    }

    private func settleOldest() async throws {
        let id = inFlight.removeFirst()
        try await remember { try channel.check(try await channel.reply(to: id, for: call), for: call) }
    }

    /// Runs `body`, keeping its error: once a write failed, the file is not what the caller wrote, and
    /// every later call says so.
    private func remember<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            if failure == nil { failure = error }
            throw error
        }
    }
}
