import Foundation
import Testing

@testable import SlipwayDrivers

@Suite("SFTP packets: encoding, decoding, framing, the read window")
struct SFTPPacketTests {
    /// Bytes from a compact hex notation (spaces ignored).
    static func hex(_ text: String) -> Data {
        let digits = Array(text.filter { !$0.isWhitespace })
        return Data(stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16) ?? 0 })
    }

    /// A packet body as the server sends it: type, then fields.
    static func body(_ type: UInt8, _ fields: (inout SFTPWireWriter) -> Void) -> Data {
        var writer = SFTPWireWriter()
        writer.byte(type)
        fields(&writer)
        return writer.packet().dropFirst(4)
    }

    @Test("INIT asks for version 3")
    func initialize() {
        #expect(SFTPPacket.initialize() == Self.hex("00000005 01 00000003"))
    }

    @Test("OPEN carries the path as its bytes, the flags and the attributes")
    func open() throws {
        let packet = try SFTPPacket.encode(
            .open(path: "a/é", flags: [.write, .create, .truncate], attributes: SFTPAttributes(permissions: 0o600)),
            id: 7)
        // length 25: type, id, string "a/é" (4 bytes of UTF-8), flags 0x1a, attrs: flags 4, mode 0600
        #expect(packet == Self.hex("00000019 03 00000007 00000004 612fc3a9 0000001a 00000004 00000180"))
    }

    @Test("WRITE of a slice sends exactly the slice's bytes at the offset")
    func write() throws {
        let whole = Data([9, 9, 1, 2, 3, 9])
        let packet = try SFTPPacket.encode(
            .write(handle: Data([0xAB]), offset: 0x1_0000_0002, data: whole[2..<5]), id: 1)
        #expect(packet == Self.hex("00000019 06 00000001 00000001 ab 0000000100000002 00000003 010203"))
    }

    @Test("READ, CLOSE, STAT, RENAME and posix-rename encode their fields in order")
    func otherRequests() throws {
        #expect(
            try SFTPPacket.encode(.read(handle: Data([1]), offset: 32768, length: 32768), id: 2)
                == Self.hex("00000016 05 00000002 00000001 01 0000000000008000 00008000"))
        #expect(
            try SFTPPacket.encode(.close(handle: Data([1, 2])), id: 3) == Self.hex("0000000b 04 00000003 00000002 0102")
        )
        #expect(try SFTPPacket.encode(.stat(path: "x"), id: 4) == Self.hex("0000000a 11 00000004 00000001 78"))
        #expect(
            try SFTPPacket.encode(.rename(from: "a", to: "b"), id: 5)
                == Self.hex("0000000f 12 00000005 00000001 61 00000001 62"))
        let posix = try SFTPPacket.encode(.posixRename(from: "a", to: "b"), id: 6)
        #expect(posix.dropFirst(4).prefix(5) == Self.hex("c8 00000006"))
        #expect(String(decoding: posix, as: UTF8.self).contains("posix-rename@openssh.com"))
        #expect(posix.suffix(10) == Self.hex("00000001 61 00000001 62"))
    }

    @Test(
        "hostile paths go out byte for byte; empty paths and NUL bytes are refused",
        arguments: ["it's \"q\" $(touch x) `y`; rm -rf /\nnext line", "  spaces  ", "ünï/cödé"])
    func paths(path: String) throws {
        let packet = try SFTPPacket.encode(.remove(path: path), id: 1)
        var reader = SFTPWireReader(packet.dropFirst(9))
        #expect(try reader.string() == Data(path.utf8))
        #expect(reader.isAtEnd)
    }

    @Test("a path that would be cut short by the server is never sent", arguments: ["", "a\0b", "\0"])
    func invalidPaths(path: String) {
        #expect(throws: SFTPPacket.InvalidPath(path: path)) { try SFTPPacket.encode(.stat(path: path), id: 1) }
        #expect(throws: SFTPPacket.InvalidPath.self) { try SFTPPacket.encode(.rename(from: "ok", to: path), id: 1) }
    }

    @Test("VERSION with extensions")
    func version() throws {
        let body = Self.body(2) { writer in
            writer.uint32(3)
            writer.string(Data("posix-rename@openssh.com".utf8))
            writer.string(Data("1".utf8))
        }
        #expect(try SFTPPacket.decode(body) == .version(3, extensions: ["posix-rename@openssh.com": "1"]))
    }

    @Test("STATUS with its message, and without (servers that leave it out)")
    func status() throws {
        let full = Self.body(101) { writer in
            writer.uint32(9)
            writer.uint32(2)
            writer.string(Data("No such file".utf8))
            writer.string(Data("en".utf8))
        }
        #expect(try SFTPPacket.decode(full) == .status(id: 9, code: 2, message: "No such file"))
        let bare = Self.body(101) { writer in
            writer.uint32(9)
            writer.uint32(0)
        }
        #expect(try SFTPPacket.decode(bare) == .status(id: 9, code: 0, message: ""))
    }

    @Test("HANDLE, DATA and NAME with the attributes of each entry")
    func replies() throws {
        #expect(
            try SFTPPacket.decode(
                Self.body(102) {
                    $0.uint32(1)
                    $0.string(Data([0, 1]))
                })
                == .handle(id: 1, Data([0, 1])))
        #expect(
            try SFTPPacket.decode(
                Self.body(103) {
                    $0.uint32(2)
                    $0.string(Data("abc".utf8))
                })
                == .data(id: 2, Data("abc".utf8)))
        let attributes = SFTPAttributes(size: 5, userID: 1000, groupID: 1000, permissions: 0o100644)
        let name = Self.body(104) { writer in
            writer.uint32(3)
            writer.uint32(2)
            for filename in ["a b", "c"] {
                writer.string(Data(filename.utf8))
                writer.string(Data("-rw-r--r-- 1 u g 5 Jan 1 00:00 \(filename)".utf8))
                attributes.encode(into: &writer)
            }
        }
        let entries = [
            SFTPPacket.Name(filename: "a b", attributes: attributes), .init(filename: "c", attributes: attributes),
        ]
        #expect(try SFTPPacket.decode(name) == .name(id: 3, entries))
    }

    @Test("ATTRS: every field, each only when its flag is set, round trip")
    func attributes() throws {
        let full = SFTPAttributes(
            size: 1 << 40, userID: 1, groupID: 2, permissions: 0o040755, accessTime: 3, modificationTime: 4,
            extended: ["x@example.com": Data([5])])
        for attributes in [full, SFTPAttributes(), SFTPAttributes(size: 0)] {
            var writer = SFTPWireWriter()
            writer.byte(105)
            writer.uint32(1)
            attributes.encode(into: &writer)
            #expect(try SFTPPacket.decode(writer.packet().dropFirst(4)) == .attributes(id: 1, attributes))
        }
        #expect(full.isDirectory == true)
        #expect(SFTPAttributes(permissions: 0o100600).isDirectory == false)
        #expect(SFTPAttributes().isDirectory == nil)
    }

    @Test("a truncated packet, bytes after the fields, an unknown type or a request from the server are malformed")
    func malformed() {
        let cases: [Data] = [
            Self.hex("66 00000001 00000005 6162"),  // DATA whose string runs past the end
            Self.hex("66 00000001 00000001 61 ff"),  // a byte after the fields
            Self.hex("fa 00000001"),  // no such type
            Self.hex("04 00000001 00000000"),  // CLOSE is a client's request
            Self.hex("65 0000"),  // STATUS cut inside its id
            Data(),
        ]
        for body in cases {
            #expect(throws: SFTPPacket.Malformed.self) { try SFTPPacket.decode(body) }
        }
    }

    @Test("the framer finds whole packets whatever the bytes are cut into")
    func framing() throws {
        let bodies = [
            Self.hex("66 00000001 00000003 616263"), Self.hex("65 00000002 00000000"), Self.hex("02 00000003"),
        ]
        let stream = bodies.reduce(Data()) { stream, body in
            var length = Data()
            withUnsafeBytes(of: UInt32(body.count).bigEndian) { length.append(contentsOf: $0) }
            return stream + length + body
        }
        var generator = SystemRandomNumberGenerator()
        for cutSize in [1, 2, 3, 5, 7, stream.count] + (0..<20).map({ _ in Int.random(in: 1...9, using: &generator) }) {
            var framer = SFTPPacketFramer()
            var found: [Data] = []
            var start = 0
            while start < stream.count {
                let end = min(start + cutSize, stream.count)
                framer.append(stream[start..<end])
                while let body = try framer.next() { found.append(body) }
                start = end
            }
            #expect(found == bodies, "cut into pieces of \(cutSize)")
        }
    }

    @Test("a length of zero or past the maximum ends the stream instead of buffering for ever")
    func framingLimits() {
        for length in [0, SFTPPacket.maximumLength + 1, Int(UInt32.max)] {
            var framer = SFTPPacketFramer()
            var bytes = Data()
            withUnsafeBytes(of: UInt32(length).bigEndian) { bytes.append(contentsOf: $0) }
            framer.append(bytes)
            #expect(throws: SFTPPacket.Malformed.self) { try framer.next() }
        }
    }

    @Test("the read window: 16 reads ahead, a short read asks for the rest first, end of file drops the others")
    func readQueue() throws {
        var sent: [SFTPPacket.Request] = []
        func send(_ request: SFTPPacket.Request) -> UInt32 {
            sent.append(request)
            return UInt32(sent.count)
        }
        let chunk = UInt64(SFTPSession.chunkSize)
        var queue = SFTPReadQueue(handle: Data([7]))
        queue.fill(send)
        #expect(sent.count == SFTPSession.maximumInFlight)
        #expect(sent.last == .read(handle: Data([7]), offset: 15 * chunk, length: UInt32(chunk)))

        let head = queue.next()
        let first = try #require(head)
        #expect(first == .init(id: 1, offset: 0, length: UInt32(chunk)))
        queue.received(1000, for: first, send)  // short: the rest of [0, chunk) comes next
        queue.fill(send)  // the window is full again: nothing more
        #expect(sent.count == SFTPSession.maximumInFlight + 1)
        let next = queue.next()
        let rest = try #require(next)
        #expect(rest.offset == 1000 && rest.length == UInt32(chunk) - 1000)
        queue.received(Int(rest.length), for: rest, send)
        #expect(queue.next()?.offset == chunk)

        var abandoned: [UInt32] = []
        queue.reachedEnd { abandoned.append($0) }
        #expect(abandoned.count == SFTPSession.maximumInFlight - 2)
        queue.fill(send)
        #expect(queue.next() == nil)
    }

    @Test("status codes become typed errors that name the operation and the path")
    func errors() {
        let missing = SFTPError(status: 2, .read, path: "backups/a.dump", detail: "No such file")
        #expect(missing.kind == .noSuchFile)
        #expect(missing.code == "sftp_no_such_file")
        #expect(missing.message.contains("read 'backups/a.dump'") && missing.message.contains("No such file"))
        #expect(SFTPError(status: 3, .write, path: "x", detail: "").kind == .permissionDenied)
        #expect(SFTPError(status: 4, .removeDirectory, path: "x", detail: "").kind == .failure)
        #expect(SFTPError(status: 8, .rename, path: "x", detail: "").kind == .unsupported)
        #expect(SFTPError(status: 7, .list, path: "x", detail: "").kind == .connectionLost)
        let rename = SFTPError(status: 4, .rename, path: "a", destination: "b", detail: "")
        #expect(rename.message.contains("rename 'a' to 'b'"))
    }
}
