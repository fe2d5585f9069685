import Foundation

/// The READ requests of one download, in file order: which to send, which reply to wait for next, and
/// what to do about a short read. Pure bookkeeping; the session sends and waits.
///
/// Up to `SFTPSession.maximumInFlight` reads of `SFTPSession.chunkSize` are outstanding, at increasing
/// offsets, and their replies are taken oldest first, so bytes reach the caller in order. A server may
/// answer a read with fewer bytes than asked for without being at the end; the rest of that range is
/// then asked for again, ahead of every later read. End of file (a STATUS EOF for the oldest read)
/// drops the reads after it.
struct SFTPReadQueue {
    struct Read: Equatable {
        var id: UInt32
        var offset: UInt64
        var length: UInt32
    }

    let handle: Data
    private var outstanding: [Read] = []
    private var nextOffset: UInt64 = 0
    private var atEnd = false

    init(handle: Data) {
        self.handle = handle
    }

    /// The oldest outstanding read, taken off the queue: the reply to wait for next. Nil when done.
    mutating func next() -> Read? {
        outstanding.isEmpty ? nil : outstanding.removeFirst()
    }

    /// Sends reads (through `send`, which returns the request id) until the window is full.
    mutating func fill(_ send: (SFTPPacket.Request) throws -> UInt32) rethrows {
        while !atEnd, outstanding.count < SFTPSession.maximumInFlight {
            let length = UInt32(SFTPSession.chunkSize)
            let id = try send(.read(handle: handle, offset: nextOffset, length: length))
            outstanding.append(Read(id: id, offset: nextOffset, length: length))
            nextOffset += UInt64(length)
        }
    }

    /// `read` was answered with `count` bytes; a short answer asks for the rest of its range first.
    mutating func received(_ count: Int, for read: Read, _ send: (SFTPPacket.Request) throws -> UInt32) rethrows {
        guard count < Int(read.length) else { return }
        let offset = read.offset + UInt64(count)
        let length = read.length - UInt32(count)
        let id = try send(.read(handle: handle, offset: offset, length: length))
        outstanding.insert(Read(id: id, offset: offset, length: length), at: 0)
    }

    /// The file ended (or reading stopped): no more reads; those outstanding go to `abandon`.
    mutating func reachedEnd(_ abandon: (UInt32) -> Void) {
        atEnd = true
        for read in outstanding { abandon(read.id) }
        outstanding = []
    }
}
