import Foundation
import NIOCore

extension DockerClient {
    /// Reads one regular file out of one of Slipway's containers, streaming: the engine answers the
    /// file as a tar archive (`GET /containers/{id}/archive`), whose first entry's contents reach `chunk`
    /// in order, without the whole file in memory. Answers the file's size.
    @discardableResult
    public func readFile(
        inContainer container: String, path: String, chunk: (Data) async throws -> Void
    ) async throws -> Int {
        let id = try await managedContainerId(container, operation: "read a file from")
        let body = try await stream(DockerRequest(.get, "/containers/\(id)/archive", query: [("path", path)]))
        var reader = TarFileReader()
        var delivered = 0
        for try await buffer in body {
            for piece in try reader.feed(Data(buffer.readableBytesView)) {
                delivered += piece.count
                try await chunk(piece)
            }
            if reader.isDone { break }
        }
        guard reader.isDone, let size = reader.size, delivered == size else {
            throw DockerError(
                .unexpectedResponse, message: "the archive of \(path) ended after \(delivered) bytes",
                operation: "read a file from")
        }
        return size
    }
}

/// Takes a tar stream piece by piece and hands out the contents of its first regular file (skipping
/// PAX and GNU long-name headers before it, and honouring a PAX `size`).
struct TarFileReader {
    private var pending = Data()
    private var remaining: Int?
    private var paxSize: Int?
    private(set) var size: Int?
    private(set) var isDone = false

    mutating func feed(_ data: Data) throws -> [Data] {
        guard !isDone else { return [] }
        pending.append(data)
        var out: [Data] = []
        while !isDone {
            if let left = remaining {
                guard !pending.isEmpty || left == 0 else { break }
                let take = min(left, pending.count)
                if take > 0 { out.append(pending.prefix(take)) }
                pending = pending.dropFirst(take)
                remaining = left - take
                if remaining == 0 { isDone = true }
                continue
            }
            guard pending.count >= 512 else { break }
            let header = Data(pending.prefix(512))
            guard header.contains(where: { $0 != 0 }) else {
                throw DockerError(
                    .unexpectedResponse, message: "the archive holds no file", operation: "read a file from")
            }
            let type = header[header.startIndex + 156]
            let entrySize = try Self.size(of: header)
            let padded = (entrySize + 511) / 512 * 512
            switch type {
            case UInt8(ascii: "x"), UInt8(ascii: "g"), UInt8(ascii: "L"), UInt8(ascii: "K"):
                guard pending.count >= 512 + padded else { return out }
                if type == UInt8(ascii: "x") {
                    let records = pending.dropFirst(512).prefix(entrySize)
                    paxSize = Self.paxSize(records) ?? paxSize
                }
                pending = pending.dropFirst(512 + padded)
            case UInt8(ascii: "0"), 0:
                let fileSize = paxSize ?? entrySize
                size = fileSize
                remaining = fileSize
                pending = pending.dropFirst(512)
                if fileSize == 0 { isDone = true }
            default:
                throw DockerError(
                    .unexpectedResponse, message: "the path is not a regular file", operation: "read a file from")
            }
        }
        return out
    }

    /// The size field: octal text, or base-256 when its first byte has the high bit set.
    static func size(of header: Data) throws -> Int {
        let field = header.dropFirst(124).prefix(12)
        if let first = field.first, first & 0x80 != 0 {
            return field.dropFirst().reduce(Int(first & 0x7f)) { $0 << 8 | Int($1) }
        }
        let text = String(decoding: field, as: UTF8.self).trimmingCharacters(in: CharacterSet(charactersIn: "\0 "))
        guard let value = Int(text.isEmpty ? "0" : text, radix: 8) else {
            throw DockerError(.unexpectedResponse, message: "bad tar size field", operation: "read a file from")
        }
        return value
    }

    static func paxSize(_ records: Data) -> Int? {
        for line in String(decoding: records, as: UTF8.self).split(separator: "\n") {
            guard let space = line.firstIndex(of: " ") else { continue }
            let record = line[line.index(after: space)...]
            if record.hasPrefix("size=") { return Int(record.dropFirst(5)) }
        }
        return nil
    }
}
