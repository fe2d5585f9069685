import Foundation
import SlipwayTesting
import Testing

@testable import SlipwayDrivers

/// Reading archives made elsewhere (`git archive`, GNU tar) and changing one file in them: how a build gets
/// its labels as one LABEL instruction instead of one builder step per label. Checked with the real tools:
/// the changed archive is unpacked by `tar`, and built by the engine.
@Suite("Tar archives read and changed")
struct TarArchiveReadTests {
    static let longPath = "addons/" + String(repeating: "deep_", count: 22) + "/models.py"

    /// Runs a tool, failing the test when it fails; answers its standard output.
    @discardableResult
    static func run(_ argv: [String], in directory: String) async throws -> Data {
        let process = try LocalProcess.start(
            argv, environment: ProcessInfo.processInfo.environment.merging(["PWD": directory]) { $1 })
        let result = await process.collect()
        try #require(result.termination.exitCode == 0, "\(argv): \(String(decoding: result.stderr, as: UTF8.self))")
        return result.stdout
    }

    /// `git archive` of a commit with a Dockerfile, an executable script and a path longer than 100 bytes.
    static func gitArchive() async throws -> (archive: Data, repository: GitTestRepository) {
        let repository = try await GitTestRepository.make()
        let sha = try await repository.commit(
            ["Dockerfile": "FROM scratch\nCOPY . /app", "run.sh": "#!/bin/sh\necho hi\n", longPath: "# model\n"],
            message: "first")
        try await run(["chmod", "+x", repository.directory + "/run.sh"], in: repository.directory)
        let second = try await repository.commit(["run.sh": "#!/bin/sh\necho hello\n"], message: "second")
        _ = sha
        let archive = try await run(
            ["git", "-C", repository.directory, "archive", "--format=tar", second], in: repository.directory)
        return (archive, repository)
    }

    /// Unpacks `archive` with the real tar into a new directory.
    static func unpack(_ archive: Data) async throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("slipway-untar-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let file = directory + ".tar"
        try archive.write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        try await run(["tar", "-xf", file, "-C", directory], in: directory)
        return directory
    }

    @Test("a git archive's Dockerfile gets one more line; tar unpacks every other file as it was, modes kept")
    func gitArchiveChanged() async throws {
        let (archive, repository) = try await Self.gitArchive()
        defer { repository.remove() }
        let entries = try #require(TarArchive.entries(of: [UInt8](archive)))
        #expect(Set(entries.entries.map(\.path)).isSuperset(of: ["Dockerfile", "run.sh", Self.longPath]))
        let changed = try #require(
            try TarArchive(archive: archive).replacingFile("Dockerfile") {
                DockerClient.appending(#"LABEL "a"="1""#, to: $0)
            })
        let directory = try await Self.unpack(changed.bytes)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let dockerfile = try String(contentsOfFile: directory + "/Dockerfile", encoding: .utf8)
        #expect(dockerfile == "FROM scratch\nCOPY . /app\nLABEL \"a\"=\"1\"\n")
        #expect(try String(contentsOfFile: directory + "/run.sh", encoding: .utf8) == "#!/bin/sh\necho hello\n")
        #expect(FileManager.default.isExecutableFile(atPath: directory + "/run.sh"), "its mode is kept")
        #expect(try String(contentsOfFile: directory + "/" + Self.longPath, encoding: .utf8) == "# model\n")
    }

    @Test("an archive without the file, a truncated one and one that is no archive are left alone")
    func unreadable() async throws {
        let (archive, repository) = try await Self.gitArchive()
        defer { repository.remove() }
        let base = TarArchive(archive: archive)
        #expect(try base.replacingFile("Missingfile") { $0 } == nil)
        #expect(try TarArchive(archive: archive.prefix(700)).replacingFile("Dockerfile") { $0 } == nil)
        #expect(try TarArchive(archive: Data("not a tar archive".utf8)).replacingFile("Dockerfile") { $0 } == nil)
        #expect(try base.replacingFile("Dockerfile") { _ in nil } == nil, "a change that cannot be made")
    }

    @Test("a GNU tar archive reads too")
    func gnuTar() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("slipway-gnutar-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory + "/src", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data("FROM scratch\n".utf8).write(to: URL(fileURLWithPath: directory + "/src/Dockerfile"))
        try Data("x".utf8).write(to: URL(fileURLWithPath: directory + "/src/" + String(repeating: "n", count: 150)))
        let archive = try await Self.run(
            ["tar", "--format=gnu", "-cf", "-", "-C", directory + "/src", "."], in: directory)
        let changed = try #require(
            try TarArchive(archive: archive).replacingFile("./Dockerfile") { $0 + Data("LABEL a=b\n".utf8) })
        let out = try await Self.unpack(changed.bytes)
        defer { try? FileManager.default.removeItem(atPath: out) }
        #expect(try String(contentsOfFile: out + "/Dockerfile", encoding: .utf8) == "FROM scratch\nLABEL a=b\n")
        #expect(FileManager.default.fileExists(atPath: out + "/" + String(repeating: "n", count: 150)))
    }

    @Test("the LABEL line is added only where it cannot join another line")
    func appending() {
        let label = #"LABEL "a"="1""#
        func appended(_ text: String) -> String? {
            DockerClient.appending(label, to: Data(text.utf8)).map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(appended("FROM x\n") == "FROM x\n\(label)\n")
        #expect(appended("FROM x") == "FROM x\n\(label)\n")
        #expect(appended("FROM x\nRUN a \\\n") == nil, "a last line continued would take the LABEL in")
        #expect(appended("# escape=`\nFROM x\n") == nil, "another escape character")
        #expect(appended("") == nil)
        #expect(
            DockerClient.labelInstruction(["io.slipway.managed": "true", "io.slipway.org": "org_1"])
                == #"LABEL "io.slipway.managed"="true" "io.slipway.org"="org_1""#)
        #expect(DockerClient.labelInstruction(["k": "a\"b"]) == nil)
        #expect(DockerClient.labelInstruction(["k": "a b"]) == nil)
        #expect(DockerClient.labelInstruction([:]) == nil)
    }

    @Test("built from a git archive, the labels take one builder step and are all on the image", .tags(.docker))
    func oneLabelStep() async throws {
        try await DockerTestContext.run { docker in
            let repository = try await GitTestRepository.make()
            defer { repository.remove() }
            let sha = try await repository.commit(
                [
                    "Dockerfile":
                        "FROM \(DockerTestEngine.baseImage)\nCOPY page.txt /page.txt\nCMD [\"cat\", \"/page.txt\"]",
                    "page.txt": "one\n",
                ], message: "first")
            let archive = try await Self.run(
                ["git", "-C", repository.directory, "archive", "--format=tar", sha], in: repository.directory)
            let tag = DockerTestEngine.uniqueName("labels") + ":v1"
            let lines = try await docker.client.buildImage(
                context: TarArchive(archive: archive), tags: [tag], labels: docker.labels
            ).collect().compactMap(\.stream)
            #expect(lines.filter { $0.contains(" : LABEL ") }.count == 1, "\(lines)")
            let image = try await docker.client.inspectImage(tag)
            for (key, value) in try docker.labels.dictionary() {
                #expect(image.config?.labels?[key] == value, "\(key)")
            }
        }
    }
}
