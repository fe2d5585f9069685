import Foundation

/// Builds one SFTP packet: the fields in order, then `packet()` puts the length in front.
struct SFTPWireWriter {
    private var body = Data()

    mutating func reserve(_ count: Int) {
        body.reserveCapacity(count)
    }

    mutating func byte(_ value: UInt8) {
        body.append(value)
    }

    mutating func uint32(_ value: UInt32) {
        withUnsafeBytes(of: value.bigEndian) { body.append(contentsOf: $0) }
    }

    mutating func uint64(_ value: UInt64) {
        withUnsafeBytes(of: value.bigEndian) { body.append(contentsOf: $0) }
    }

    /// A length-prefixed byte string.
    mutating func string(_ bytes: Data) {
        uint32(UInt32(bytes.count))
        body.append(bytes)
    }

    /// The packet with its length in front.
    func packet() -> Data {
        var packet = Data(capacity: body.count + 4)
        withUnsafeBytes(of: UInt32(body.count).bigEndian) { packet.append(contentsOf: $0) }
        packet.append(body)
        return packet
    }
}

/// Reads the fields of one packet body in order; running past its end is `Malformed`.
struct SFTPWireReader {
    private let data: Data
    private var position: Data.Index

    init(_ data: Data) {
        self.data = data
        position = data.startIndex
    }

    var isAtEnd: Bool { position >= data.endIndex }
    var remaining: Int { data.endIndex - position }

    mutating func byte() throws(SFTPPacket.Malformed) -> UInt8 {
        try take(1).first ?? 0
    }

    mutating func uint32() throws(SFTPPacket.Malformed) -> UInt32 {
        try take(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func uint64() throws(SFTPPacket.Malformed) -> UInt64 {
        try take(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// A length-prefixed byte string.
    mutating func string() throws(SFTPPacket.Malformed) -> Data {
        let count = try uint32()
        guard count <= remaining else { throw SFTPPacket.Malformed("a string of \(count) bytes in \(remaining)") }
        return Data(try take(Int(count)))
    }

    /// A length-prefixed string as UTF-8 (invalid bytes replaced: names are shown, never sent back).
    mutating func text() throws(SFTPPacket.Malformed) -> String {
        String(decoding: try string(), as: UTF8.self)
    }

    /// Everything not read yet.
    mutating func rest() -> Data {
        defer { position = data.endIndex }
        return Data(data[position...])
    }

    private mutating func take(_ count: Int) throws(SFTPPacket.Malformed) -> Data.SubSequence {
        guard count <= remaining else { throw SFTPPacket.Malformed("the packet ends early") }
        defer { position += count }
        return data[position..<position + count]
    }
}

/// Cuts the byte stream from the server into packet bodies, whatever sizes the bytes arrive in.
struct SFTPPacketFramer {
    private var buffer = Data()
    private var start = 0

    mutating func append(_ bytes: Data) {
        // Drop what was handed out before growing the buffer, so it never holds more than one chunk extra.
        if start > 0 {
            buffer.removeSubrange(buffer.startIndex..<buffer.startIndex + start)
            start = 0
        }
        buffer.append(bytes)
    }

    /// The next whole packet body (type byte onwards), nil until one has arrived in full. A length
    /// over `SFTPPacket.maximumLength` (or zero) is `Malformed`: the stream cannot be trusted after it.
    mutating func next() throws(SFTPPacket.Malformed) -> Data? {
        let available = buffer.count - start
        guard available >= 4 else { return nil }
        let base = buffer.startIndex + start
        let length = buffer[base..<base + 4].reduce(0) { $0 << 8 | Int($1) }
        guard length > 0, length <= SFTPPacket.maximumLength else {
            throw SFTPPacket.Malformed("a packet length of \(length) bytes")
        }
        guard available >= 4 + length else { return nil }
        start += 4 + length
        return Data(buffer[base + 4..<base + 4 + length])
    }
}
