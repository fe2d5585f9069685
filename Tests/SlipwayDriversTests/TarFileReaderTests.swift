import Foundation
import Testing

@testable import SlipwayDrivers

/// The tar reader behind `DockerClient.readFile`: the first regular file's bytes, whatever the chunk
/// boundaries, after PAX headers, and an error for a truncated archive or a directory.
@Suite("Tar file reader")
struct TarFileReaderTests {
    static func read(_ archive: Data, chunk: Int) throws -> (Data, TarFileReader) {
        var reader = TarFileReader()
        var out = Data()
        var offset = 0
        while offset < archive.count {
            let piece = archive.subdata(in: offset..<min(offset + chunk, archive.count))
            for part in try reader.feed(piece) { out.append(part) }
            offset += chunk
        }
        return (out, reader)
    }

    @Test("the file's bytes come out whole at any chunk size", arguments: [1, 7, 511, 512, 513, 4096, 1 << 20])
    func chunks(size: Int) throws {
        let contents = Data((0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        var archive = TarArchive()
        try archive.addFile("database.dump", contents: contents)
        try archive.addFile("other", text: "not this one")
        let (out, reader) = try Self.read(archive.bytes, chunk: size)
        #expect(out == contents)
        #expect(reader.isDone && reader.size == 5000)
    }

    @Test("a PAX header before the file (a long name) is skipped")
    func pax() throws {
        var archive = TarArchive()
        let name = String(repeating: "long-directory-name/", count: 8) + "filestore.tar.gz"
        try archive.addFile(name, text: "archive bytes")
        let (out, _) = try Self.read(archive.bytes, chunk: 100)
        #expect(String(decoding: out, as: UTF8.self) == "archive bytes")
    }

    @Test("an empty file is done at once; a directory or a truncated archive is an error")
    func edges() throws {
        var empty = TarArchive()
        try empty.addFile("empty", contents: Data())
        let (out, reader) = try Self.read(empty.bytes, chunk: 512)
        #expect(out.isEmpty && reader.isDone && reader.size == 0)

        var directory = TarArchive()
        try directory.addDirectory("snapshots")
        #expect(throws: DockerError.self) { try Self.read(directory.bytes, chunk: 512) }

        var whole = TarArchive()
        try whole.addFile("database.dump", contents: Data(count: 3000))
        let (partial, cut) = try Self.read(whole.bytes.prefix(512 + 1000), chunk: 256)
        #expect(partial.count == 1000 && !cut.isDone)
    }
}
