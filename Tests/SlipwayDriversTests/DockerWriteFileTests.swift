import Crypto
import Foundation
import SlipwayDrivers
import SlipwayTesting
import Testing

@Suite("Docker: a file streamed into a container", .tags(.docker))
struct DockerWriteFileTests {
    /// A running container of the base image with an empty `/data`.
    static func container(_ docker: DockerTestContext) async throws -> String {
        let spec = ContainerSpec(
            name: DockerTestEngine.uniqueName("files"), image: DockerTestEngine.baseImage,
            command: ["sh", "-c", "mkdir -p /data && while true; do sleep 1; done"])
        let id = try await docker.client.createContainer(spec, labels: docker.labels)
        try await docker.client.startContainer(id)
        let ready = try await eventually {
            try await docker.client.exec(id, command: ["test", "-d", "/data"]).exitCode == 0
        }
        try #require(ready)
        return id
    }

    static func listing(_ docker: DockerTestContext, _ id: String) async throws -> String {
        try await docker.client.exec(id, command: ["ls", "-A", "/data"]).stdout
    }

    /// Random bytes cut into pieces of uneven sizes, as a destination hands them out.
    static func pieces(of data: Data) -> [Data] {
        var pieces: [Data] = []
        var offset = 0
        var step = 1
        while offset < data.count {
            let end = min(data.count, offset + step)
            pieces.append(data.subdata(in: offset..<end))
            offset = end
            step = step * 7 % 300_007 + 1
        }
        return pieces
    }

    static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    @Test("a file streamed in chunks arrives with its size, checksum, owner and mode, and nothing else is left")
    func roundTrip() async throws {
        try await DockerTestContext.run { docker in
            let id = try await Self.container(docker)
            let contents = Data((0..<(3 << 20) + 123).map { _ in UInt8.random(in: 0...255) })
            let pieces = Self.pieces(of: contents)
            try await docker.client.writeFile(
                inContainer: id, path: "/data/database.dump", size: contents.count, mode: 0o640, owner: (70, 71)
            ) { writer in
                for piece in pieces { try await writer.write(piece) }
            }

            var back = Data()
            let size = try await docker.client.readFile(inContainer: id, path: "/data/database.dump") {
                back.append($0)
            }
            #expect(size == contents.count)
            #expect(Self.sha256(back) == Self.sha256(contents))
            let stat = try await docker.client.exec(id, command: ["stat", "-c", "%u:%g:%a", "/data/database.dump"])
            #expect(stat.stdout == "70:71:640")
            #expect(try await Self.listing(docker, id) == "database.dump")

            // An empty file is a file too.
            try await docker.client.writeFile(inContainer: id, path: "/data/empty", size: 0) { _ in }
            let empty = try await docker.client.readFile(inContainer: id, path: "/data/empty") { _ in }
            #expect(empty == 0)
        }
    }

    @Test("a stream shorter or longer than declared, or one that fails, is an error and leaves no file")
    func wrongLength() async throws {
        try await DockerTestContext.run { docker in
            let id = try await Self.container(docker)
            let old = Data("the file as it was".utf8)
            try await docker.client.writeFile(inContainer: id, path: "/data/kept", size: old.count) {
                try await $0.write(old)
            }

            // Short, after enough bytes that the engine has begun to unpack the file.
            let part = Data(repeating: 7, count: 1 << 20)
            await #expect(throws: DockerError.self) {
                try await docker.client.writeFile(inContainer: id, path: "/data/short", size: 4 << 20) { writer in
                    for _ in 0..<2 { try await writer.write(part) }
                }
            }
            do {
                try await docker.client.writeFile(inContainer: id, path: "/data/long", size: 10) { writer in
                    try await writer.write(Data(repeating: 1, count: 11))
                }
                Issue.record("a stream longer than declared was accepted")
            } catch let error as DockerError {
                #expect(error.message.contains("more than the declared 10 bytes"), "\(error)")
            }
            struct SourceFailed: Error {}
            await #expect(throws: SourceFailed.self) {
                try await docker.client.writeFile(inContainer: id, path: "/data/kept", size: 2 << 20) { writer in
                    try await writer.write(part)
                    throw SourceFailed()
                }
            }

            // Nothing new, no partial file, and the failed write over `kept` left it as it was.
            #expect(try await Self.listing(docker, id) == "kept")
            var kept = Data()
            _ = try await docker.client.readFile(inContainer: id, path: "/data/kept") { kept.append($0) }
            #expect(kept == old)

            // A directory that is not there is the engine's error, and a bad path ours.
            await #expect(throws: DockerError.self) {
                try await docker.client.writeFile(inContainer: id, path: "/nowhere/file", size: 1) {
                    try await $0.write(Data([1]))
                }
            }
            await #expect(throws: DockerError.self) {
                try await docker.client.writeFile(inContainer: id, path: "data/relative", size: 0) { _ in }
            }
        }
    }
}
