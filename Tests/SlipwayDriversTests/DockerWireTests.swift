import Foundation
import Testing

@testable import SlipwayDrivers

/// The pure parts of the Docker client: frames, tar, labels, queries. No engine needed.
@Suite("Docker wire formats")
struct DockerWireTests {
    static func frame(_ stream: UInt8, _ text: String) -> [UInt8] {
        let payload = Array(text.utf8)
        let length = UInt32(payload.count)
        return [
            stream, 0, 0, 0, UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff),
            UInt8(length & 0xff),
        ] + payload
    }

    static let multiplexed: [UInt8] =
        frame(1, "out one\nout ") + frame(2, "err one\n") + frame(1, "two\n") + frame(2, "err two\r\nerr tail")
        + frame(1, "out tail")

    static let expected = [
        OutputLine(.stdout, "out one"), OutputLine(.stderr, "err one"), OutputLine(.stdout, "out two"),
        OutputLine(.stderr, "err two"), OutputLine(.stdout, "out tail"), OutputLine(.stderr, "err tail"),
    ]

    @Test("8-byte frame headers are taken apart wherever the transport cuts the bytes", arguments: [1, 3, 7, 8, 9, 64])
    func demultiplexes(cut: Int) {
        var demultiplexer = LogDemultiplexer()
        var lines: [OutputLine] = []
        var rest = Self.multiplexed[...]
        while !rest.isEmpty {
            lines += demultiplexer.feed(rest.prefix(cut))
            rest = rest.dropFirst(cut)
        }
        lines += demultiplexer.finish()
        #expect(lines == Self.expected)
    }

    @Test("a TTY stream has no headers: everything is stdout")
    func ttyStream() {
        var demultiplexer = LogDemultiplexer(tty: true)
        let lines = demultiplexer.feed(Array("a\nb\n\u{1}\u{0}c".utf8)) + demultiplexer.finish()
        #expect(lines == [OutputLine(.stdout, "a"), OutputLine(.stdout, "b"), OutputLine(.stdout, "\u{1}\u{0}c")])
    }

    @Test("a tar archive unpacks with the system's tar to exactly the files written")
    func tarRoundTrip() throws {
        let longDirectory = String(repeating: "d", count: 90) + "/" + String(repeating: "e", count: 60)
        var archive = TarArchive()
        try archive.addDirectory("app")
        try archive.addFile("app/hello.txt", text: "hello 中文\n")
        try archive.addFile("app/run.sh", text: "#!/bin/sh\necho run\n", mode: 0o755)
        try archive.addSymbolicLink("app/link", target: "hello.txt")
        try archive.addDirectory(longDirectory)
        try archive.addFile(longDirectory + "/deep.txt", contents: Data(repeating: 7, count: 1_000))
        try archive.addSymbolicLink("app/longlink", target: String(repeating: "../x/", count: 30))

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("slipway-tar-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let tarFile = directory.appendingPathComponent("context.tar")
        try archive.bytes.write(to: tarFile)
        let out = directory.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try Self.untar(tarFile, into: out)

        let fileManager = FileManager.default
        #expect(try String(contentsOf: out.appendingPathComponent("app/hello.txt"), encoding: .utf8) == "hello 中文\n")
        #expect(fileManager.isExecutableFile(atPath: out.appendingPathComponent("app/run.sh").path))
        #expect(try fileManager.destinationOfSymbolicLink(atPath: out.path + "/app/link") == "hello.txt")
        #expect(
            try fileManager.destinationOfSymbolicLink(atPath: out.path + "/app/longlink")
                == String(repeating: "../x/", count: 30))
        #expect(
            fileManager.contents(atPath: out.path + "/" + longDirectory + "/deep.txt")
                == Data(repeating: 7, count: 1_000))

        // The tree read back from disk and unpacked again has the same files, links and modes.
        let copy = directory.appendingPathComponent("copy")
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        try TarArchive.directory(at: out).bytes.write(to: tarFile)
        try Self.untar(tarFile, into: copy)
        #expect(fileManager.contents(atPath: copy.path + "/app/hello.txt") == Data("hello 中文\n".utf8))
        #expect(fileManager.isExecutableFile(atPath: copy.path + "/app/run.sh"))
        #expect(try fileManager.destinationOfSymbolicLink(atPath: copy.path + "/app/link") == "hello.txt")
        #expect(fileManager.contents(atPath: copy.path + "/" + longDirectory + "/deep.txt")?.count == 1_000)
        #expect(try TarArchive.directory(at: out).bytes == TarArchive.directory(at: out).bytes)
    }

    static func untar(_ file: URL, into directory: URL) throws {
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/bin/tar")
        tar.arguments = ["-x", "-f", file.path, "-C", directory.path]
        try tar.run()
        tar.waitUntilExit()
        #expect(tar.terminationStatus == 0)
    }

    @Test(
        "a tar archive refuses paths that escape it",
        arguments: ["../etc/passwd", "/etc/passwd", "a/../../b", "a//b", ""])
    func tarRefusesEscapes(path: String) {
        var archive = TarArchive()
        #expect(throws: TarArchiveError.self) { try archive.addFile(path, text: "x") }
    }

    @Test("labels name org, project, environment and instance, and are marked managed")
    func labels() throws {
        let labels = SlipwayLabels(
            organizationId: "org_1", projectId: "prj_1", environmentId: "env_1", instanceId: "ins_1",
            extra: ["io.slipway.color": "blue"])
        #expect(
            try labels.dictionary() == [
                "io.slipway.org": "org_1", "io.slipway.project": "prj_1", "io.slipway.environment": "env_1",
                "io.slipway.instance": "ins_1", "io.slipway.managed": "true", "io.slipway.color": "blue",
            ])
        var forged = labels
        forged.extra = ["io.slipway.managed": "false"]
        #expect(throws: DockerError.self) { try forged.dictionary() }
        var empty = labels
        empty.projectId = ""
        #expect(throws: DockerError.self) { try empty.dictionary() }
        var noInstance = labels
        noInstance.instanceId = nil
        #expect(throws: DockerError.self) { try noInstance.instanceDictionary(operation: "create container") }
        #expect(
            SlipwayLabels.Selector(projectId: "prj_1").conditions == [
                "io.slipway.managed=true", "io.slipway.project=prj_1",
            ])
    }

    @Test("user values cannot change the endpoint or the query")
    func requestEscaping() {
        #expect(DockerRequest.segment("../containers/x?all=1#") == "..%2Fcontainers%2Fx%3Fall%3D1%23")
        #expect(DockerRequest.segment("127.0.0.1:5000/app") == "127.0.0.1:5000%2Fapp")
        let request = DockerRequest(.get, "/x", query: [("t", "a+b&c=d"), ("labels", #"{"k":"v w"}"#)])
        #expect(request.encodedQuery == "t=a%2Bb%26c%3Dd&labels=%7B%22k%22:%22v%20w%22%7D")
    }

    @Test("a progress line with errorDetail is a failure; stream text loses its newline")
    func progressLines() throws {
        let failure = try JSONDecoder().decode(
            DockerProgress.self,
            from: Data(#"{"errorDetail":{"code":7,"message":"step failed"},"error":"step failed"}"#.utf8))
        #expect(failure.failure == "step failed")
        #expect(failure.errorDetail?.code == 7)
        let step = try JSONDecoder().decode(DockerProgress.self, from: Data(#"{"stream":"Step 1/2 : FROM x\n"}"#.utf8))
        #expect(step.text == "Step 1/2 : FROM x")
        #expect(step.failure == nil)
        let aux = try JSONDecoder().decode(DockerProgress.self, from: Data(#"{"aux":{"ID":"sha256:abc"}}"#.utf8))
        #expect(aux.aux?.imageId == "sha256:abc")
    }
}
