import Foundation

/// File attributes as SFTP version 3 sends them (ATTRS): each field present only when its flag is set.
struct SFTPAttributes: Sendable, Equatable {
    var size: UInt64?
    var userID: UInt32?
    var groupID: UInt32?
    /// `st_mode`: the file type bits and the permission bits.
    var permissions: UInt32?
    var accessTime: UInt32?
    var modificationTime: UInt32?
    var extended: [String: Data] = [:]

    private enum Flag {
        static let size: UInt32 = 0x01
        static let userAndGroup: UInt32 = 0x02
        static let permissions: UInt32 = 0x04
        static let times: UInt32 = 0x08
        static let extended: UInt32 = 0x8000_0000
    }

    /// Whether `permissions` says directory (`S_IFDIR`); nil when the server did not send the mode.
    var isDirectory: Bool? {
        permissions.map { $0 & 0o170000 == 0o040000 }
    }

    func encode(into writer: inout SFTPWireWriter) {
        var flags: UInt32 = 0
        if size != nil { flags |= Flag.size }
        if userID != nil, groupID != nil { flags |= Flag.userAndGroup }
        if permissions != nil { flags |= Flag.permissions }
        if accessTime != nil, modificationTime != nil { flags |= Flag.times }
        if !extended.isEmpty { flags |= Flag.extended }
        writer.uint32(flags)
        if let size { writer.uint64(size) }
        if let userID, let groupID {
            writer.uint32(userID)
            writer.uint32(groupID)
        }
        if let permissions { writer.uint32(permissions) }
        if let accessTime, let modificationTime {
            writer.uint32(accessTime)
            writer.uint32(modificationTime)
        }
        if !extended.isEmpty {
            writer.uint32(UInt32(extended.count))
            for (name, value) in extended.sorted(by: { $0.key < $1.key }) {
                writer.string(Data(name.utf8))
                writer.string(value)
            }
        }
    }

    static func decode(from reader: inout SFTPWireReader) throws(SFTPPacket.Malformed) -> SFTPAttributes {
        let flags = try reader.uint32()
        var attributes = SFTPAttributes()
        if flags & Flag.size != 0 { attributes.size = try reader.uint64() }
        if flags & Flag.userAndGroup != 0 {
            attributes.userID = try reader.uint32()
            attributes.groupID = try reader.uint32()
        }
        if flags & Flag.permissions != 0 { attributes.permissions = try reader.uint32() }
        if flags & Flag.times != 0 {
            attributes.accessTime = try reader.uint32()
            attributes.modificationTime = try reader.uint32()
        }
        if flags & Flag.extended != 0 {
            let count = try reader.uint32()
            for _ in 0..<count {
                let name = try reader.text()
                attributes.extended[name] = try reader.string()
            }
        }
        return attributes
    }
}
