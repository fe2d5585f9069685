import Foundation

/// The packets of SFTP version 3 (draft-ietf-secsh-filexfer-02) that Slipway sends and reads. Pure:
/// values in, bytes out, and back.
///
/// On the wire every packet is `uint32 length, byte type, payload`; every request after INIT carries a
/// `uint32 request-id` that the reply repeats. Integers are big-endian; a string is a `uint32` length and
/// that many bytes, with no terminator and no encoding of its own (paths go as their UTF-8 bytes).
enum SFTPPacket {
    /// The protocol version we speak and ask for in INIT.
    static let version: UInt32 = 3
    /// The largest packet we accept. OpenSSH sends at most 256 KiB; the rest allows for other servers'
    /// long directory listings, while a corrupt length still fails fast instead of buffering for ever.
    static let maximumLength = 4 << 20

    /// The packet types Slipway sends or reads (the others of version 3 are not used).
    enum Kind: UInt8 {
        case initialize = 1
        case version = 2
        case open = 3
        case close = 4
        case read = 5
        case write = 6
        case opendir = 11
        case readdir = 12
        case remove = 13
        case mkdir = 14
        case rmdir = 15
        case stat = 17
        case rename = 18
        case status = 101
        case handle = 102
        case data = 103
        case name = 104
        case attributes = 105
        case extended = 200
        case extendedReply = 201
    }

    /// SSH_FXF_*: how OPEN opens a file.
    struct OpenFlags: OptionSet, Sendable, Equatable {
        let rawValue: UInt32
        static let read = OpenFlags(rawValue: 0x01)
        static let write = OpenFlags(rawValue: 0x02)
        static let append = OpenFlags(rawValue: 0x04)
        static let create = OpenFlags(rawValue: 0x08)
        static let truncate = OpenFlags(rawValue: 0x10)
        static let exclusive = OpenFlags(rawValue: 0x20)
    }

    /// A request: everything after INIT, which has its own encoding.
    enum Request: Sendable, Equatable {
        case open(path: String, flags: OpenFlags, attributes: SFTPAttributes)
        case close(handle: Data)
        case read(handle: Data, offset: UInt64, length: UInt32)
        case write(handle: Data, offset: UInt64, data: Data)
        case opendir(path: String)
        case readdir(handle: Data)
        case remove(path: String)
        case mkdir(path: String, attributes: SFTPAttributes)
        case rmdir(path: String)
        case stat(path: String)
        case rename(from: String, to: String)
        /// SSH_FXP_EXTENDED `posix-rename@openssh.com`: rename, replacing an existing `to` atomically.
        case posixRename(from: String, to: String)
    }

    /// A reply from the server. `VERSION` has no request id; every other reply names its request.
    enum Response: Sendable, Equatable {
        case version(UInt32, extensions: [String: String])
        case status(id: UInt32, code: UInt32, message: String)
        case handle(id: UInt32, Data)
        case data(id: UInt32, Data)
        case name(id: UInt32, [Name])
        case attributes(id: UInt32, SFTPAttributes)
        case extendedReply(id: UInt32, Data)

        /// The request this answers; nil for VERSION.
        var id: UInt32? {
            switch self {
            case .version: nil
            case .status(let id, _, _), .handle(let id, _), .data(let id, _), .name(let id, _),
                .attributes(let id, _), .extendedReply(let id, _):
                id
            }
        }
    }

    /// One entry of SSH_FXP_NAME. `longname` (an `ls -l` line) is read past, not kept.
    struct Name: Sendable, Equatable {
        var filename: String
        var attributes: SFTPAttributes
    }

    /// A packet that cannot be read: a bug on one side, and the end of the session.
    struct Malformed: Error, Equatable, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// SSH_FXP_INIT, whole (length included).
    static func initialize() -> Data {
        var writer = SFTPWireWriter()
        writer.byte(Kind.initialize.rawValue)
        writer.uint32(version)
        return writer.packet()
    }

    /// A path that cannot be sent: empty, or with a NUL byte, where the server's C code would cut it
    /// and act on another file.
    struct InvalidPath: Error, Equatable {
        var path: String
    }

    /// `request` with `id`, whole (length included). Refuses a path that cannot be sent (`InvalidPath`).
    static func encode(_ request: Request, id: UInt32) throws(InvalidPath) -> Data {
        var writer = SFTPWireWriter()
        func header(_ kind: Kind) {
            writer.byte(kind.rawValue)
            writer.uint32(id)
        }
        func path(_ text: String) throws(InvalidPath) {
            guard !text.isEmpty, !text.utf8.contains(0) else { throw InvalidPath(path: text) }
            writer.string(Data(text.utf8))
        }
        switch request {
        case .open(let name, let flags, let attributes):
            header(.open)
            try path(name)
            writer.uint32(flags.rawValue)
            attributes.encode(into: &writer)
        case .close(let handle):
            header(.close)
            writer.string(handle)
        case .read(let handle, let offset, let length):
            header(.read)
            writer.string(handle)
            writer.uint64(offset)
            writer.uint32(length)
        case .write(let handle, let offset, let data):
            writer.reserve(data.count + handle.count + 32)
            header(.write)
            writer.string(handle)
            writer.uint64(offset)
            writer.string(data)
        case .opendir(let name):
            header(.opendir)
            try path(name)
        case .readdir(let handle):
            header(.readdir)
            writer.string(handle)
        case .remove(let name):
            header(.remove)
            try path(name)
        case .mkdir(let name, let attributes):
            header(.mkdir)
            try path(name)
            attributes.encode(into: &writer)
        case .rmdir(let name):
            header(.rmdir)
            try path(name)
        case .stat(let name):
            header(.stat)
            try path(name)
        case .rename(let from, let to):
            header(.rename)
            try path(from)
            try path(to)
        case .posixRename(let from, let to):
            header(.extended)
            writer.string(Data("posix-rename@openssh.com".utf8))
            try path(from)
            try path(to)
        }
        return writer.packet()
    }

    /// A reply, from its type byte on (what `SFTPPacketFramer` hands out).
    static func decode(_ body: Data) throws(Malformed) -> Response {
        var reader = SFTPWireReader(body)
        let type = try reader.byte()
        guard let kind = Kind(rawValue: type) else { throw Malformed("unknown packet type \(type)") }
        if kind == .version {
            let number = try reader.uint32()
            var extensions: [String: String] = [:]
            while !reader.isAtEnd {
                let name = try reader.text()
                extensions[name] = try reader.text()
            }
            return .version(number, extensions: extensions)
        }
        let id = try reader.uint32()
        let response: Response
        switch kind {
        case .status:
            let code = try reader.uint32()
            // Version 3 adds a message and a language tag; some servers leave them out.
            let message = reader.isAtEnd ? "" : try reader.text()
            if !reader.isAtEnd { _ = try reader.string() }
            response = .status(id: id, code: code, message: message)
        case .handle:
            response = .handle(id: id, try reader.string())
        case .data:
            response = .data(id: id, try reader.string())
        case .name:
            let count = try reader.uint32()
            var names: [Name] = []
            for _ in 0..<count {
                let filename = try reader.text()
                _ = try reader.string()
                names.append(Name(filename: filename, attributes: try SFTPAttributes.decode(from: &reader)))
            }
            response = .name(id: id, names)
        case .attributes:
            response = .attributes(id: id, try SFTPAttributes.decode(from: &reader))
        case .extendedReply:
            response = .extendedReply(id: id, reader.rest())
        default:
            throw Malformed("a client request (type \(type)) came from the server")
        }
        guard reader.isAtEnd else { throw Malformed("\(reader.remaining) bytes after a packet of type \(type)") }
        return response
    }
}

/// The status codes of SSH_FXP_STATUS in version 3.
enum SFTPStatus {
    static let ok: UInt32 = 0
    static let endOfFile: UInt32 = 1
    static let noSuchFile: UInt32 = 2
    static let permissionDenied: UInt32 = 3
    static let failure: UInt32 = 4
    static let badMessage: UInt32 = 5
    static let noConnection: UInt32 = 6
    static let connectionLost: UInt32 = 7
    static let unsupported: UInt32 = 8
}
