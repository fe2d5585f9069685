import Foundation

/// Reading an archive made elsewhere (`git archive`): its entries, and the archive with one file's contents
/// changed. Only what a build context needs: ustar headers, PAX `path` records, GNU base-256 sizes.
extension TarArchive {
    /// A member of an archive: its path and type, and where its header (its PAX header first, if it has one)
    /// begins, its contents lie and it ends, as offsets into the archive.
    struct Entry: Equatable {
        var path: String
        var type: UInt8
        var mode: Int
        var start: Int
        var contents: Range<Int>
        var end: Int
    }

    /// The entries in order and the offset of the end marker; nil when `bytes` is not an archive read to its
    /// end marker.
    static func entries(of bytes: [UInt8]) -> (entries: [Entry], end: Int)? {
        var entries: [Entry] = []
        var offset = 0
        var pax: (start: Int, path: String?)?
        while offset + blockSize <= bytes.count {
            let header = bytes[offset..<offset + blockSize]
            if header.allSatisfy({ $0 == 0 }) { return (entries, offset) }
            guard let size = number(header, at: 124, width: 12), let mode = number(header, at: 100, width: 8) else {
                return nil
            }
            let contents = (offset + blockSize)..<(offset + blockSize + size)
            let next = offset + blockSize + (size + blockSize - 1) / blockSize * blockSize
            guard next <= bytes.count else { return nil }
            let type = header[offset + 156]
            if type == UInt8(ascii: "x") {
                pax = (offset, paxPath(bytes[contents]))
            } else {
                let path = pax?.path ?? ustarPath(header)
                entries.append(
                    Entry(
                        path: path, type: type, mode: mode, start: pax?.start ?? offset, contents: contents, end: next))
                pax = nil
            }
            offset = next
        }
        return nil
    }

    /// The archive with the regular file at `path` given `change(contents)` instead (its mode kept); nil when
    /// the archive cannot be read, has no such file, or `change` answers nil.
    func replacingFile(_ path: String, _ change: (Data) -> Data?) throws -> TarArchive? {
        let bytes = [UInt8](body)
        guard let (entries, _) = Self.entries(of: bytes),
            let entry = entries.last(where: {
                $0.path == path && ($0.type == UInt8(ascii: "0") || $0.type == 0)
            })
        else { return nil }
        guard let contents = change(Data(bytes[entry.contents])) else { return nil }
        var replaced = TarArchive()
        replaced.body = Data(bytes[..<entry.start])
        try replaced.addFile(path, contents: contents, mode: entry.mode)
        replaced.body.append(contentsOf: bytes[entry.end...])
        return replaced
    }

    /// An octal field (NUL or space ended), or a GNU base-256 one (its first byte's high bit set).
    private static func number(_ header: ArraySlice<UInt8>, at field: Int, width: Int) -> Int? {
        let start = header.startIndex + field
        let bytes = header[start..<start + width]
        if let first = bytes.first, first & 0x80 != 0 {
            var value = Int(first & 0x7F)
            for byte in bytes.dropFirst() {
                guard value < Int.max >> 8 else { return nil }
                value = value << 8 | Int(byte)
            }
            return value
        }
        let digits = bytes.prefix { $0 != 0 && $0 != UInt8(ascii: " ") }.drop { $0 == UInt8(ascii: " ") }
        if digits.isEmpty { return 0 }
        return Int(String(decoding: digits, as: UTF8.self), radix: 8)
    }

    /// `prefix/name` of a ustar header (the name alone in an old-style one).
    private static func ustarPath(_ header: ArraySlice<UInt8>) -> String {
        func text(_ field: Int, _ width: Int) -> String {
            let start = header.startIndex + field
            return String(decoding: header[start..<start + width].prefix { $0 != 0 }, as: UTF8.self)
        }
        let name = text(0, 100)
        let prefix = text(257, 5) == "ustar" ? text(345, 155) : ""
        return prefix.isEmpty ? name : prefix + "/" + name
    }

    /// The `path` record of a PAX extended header: `"<length> path=<value>\n"`.
    private static func paxPath(_ records: ArraySlice<UInt8>) -> String? {
        var rest = records[...]
        while let space = rest.firstIndex(of: UInt8(ascii: " ")),
            let length = Int(String(decoding: rest[rest.startIndex..<space], as: UTF8.self)), length > 0,
            rest.count >= length
        {
            let record = rest[rest.index(after: space)..<rest.startIndex + length]
            let line = String(decoding: record, as: UTF8.self)
            if line.hasPrefix("path="), line.hasSuffix("\n") { return String(line.dropFirst(5).dropLast()) }
            rest = rest[(rest.startIndex + length)...]
        }
        return nil
    }
}
