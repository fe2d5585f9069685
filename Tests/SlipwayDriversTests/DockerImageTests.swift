import Foundation
import SlipwayDrivers
import SlipwayTesting
import Testing

@Suite("Docker images: build, tag, inspect, remove, prune", .tags(.docker))
struct DockerImageTests {
    @Test("a build from a directory context streams line by line and makes an image that runs")
    func buildAndRun() async throws {
        try await DockerTestContext.run { docker in
            let message = "hello from \(DockerTestEngine.uniqueName("build"))"
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("slipway-ctx-\(UUID())")
            try FileManager.default.createDirectory(
                at: directory.appendingPathComponent("files"), withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            try Data(message.utf8).write(to: directory.appendingPathComponent("files/message.txt"))
            try Data(
                """
                FROM \(DockerTestEngine.baseImage)
                COPY files/message.txt /message.txt
                RUN echo built by step three
                CMD ["cat", "/message.txt"]

                """.utf8
            ).write(to: directory.appendingPathComponent("Dockerfile"))
            let tag = DockerTestEngine.uniqueName("image") + ":v1"

            var lines: [String] = []
            var imageId: String?
            let stream = try await docker.client.buildImage(
                context: try TarArchive.directory(at: directory), tags: [tag], labels: docker.labels)
            for try await progress in stream {
                if let line = progress.stream {
                    #expect(!line.contains("\n") && !line.isEmpty, "one event is one whole line")
                    lines.append(line)
                }
                imageId = progress.aux?.imageId ?? imageId
            }
            let step1 = try #require(lines.firstIndex { $0.hasPrefix("Step 1/") }, "\(lines)")
            let step3 = try #require(lines.firstIndex { $0.hasPrefix("Step 3/") }, "\(lines)")
            #expect(step1 < step3)
            #expect(lines[step1].hasSuffix(" : FROM \(DockerTestEngine.baseImage)"))
            #expect(lines[step3].hasSuffix(" : RUN echo built by step three"))
            #expect(lines.contains("built by step three"))
            #expect(lines.contains { $0.hasPrefix("Successfully tagged \(tag)") })

            let image = try await docker.client.inspectImage(tag)
            #expect(image.id == imageId)
            #expect(image.config?.labels?[SlipwayLabels.instanceKey] == docker.labels.instanceId)
            #expect(image.config?.labels?[SlipwayLabels.managedKey] == "true")
            #expect(image.config?.command == ["cat", "/message.txt"])

            let container = try await docker.client.createContainer(ContainerSpec(image: tag), labels: docker.labels)
            try await docker.client.startContainer(container)
            #expect(try await docker.client.waitForContainer(container, timeout: .seconds(30)) == 0)
            let output = try await docker.client.logs(container).collect()
            #expect(output == [OutputLine(.stdout, message)])
        }
    }

    @Test("a failing build reports the failing step's error after streaming the steps before it")
    func failingBuild() async throws {
        try await DockerTestContext.run { docker in
            var context = TarArchive()
            try context.addFile(
                "Dockerfile",
                text:
                    "FROM \(DockerTestEngine.baseImage)\nRUN echo before-failure\nRUN sh -c 'echo failing >&2; exit 7'\n"
            )
            let stream = try await docker.client.buildImage(
                context: context, tags: [DockerTestEngine.uniqueName("broken")], labels: docker.labels, noCache: true)
            var lines: [String] = []
            let error = await #expect(throws: DockerError.self) {
                for try await progress in stream {
                    lines.append(progress.text)
                }
            }
            #expect(error?.kind == .buildFailed)
            #expect(error?.message.contains("returned a non-zero code: 7") == true, "\(String(describing: error))")
            #expect(lines.contains("before-failure"))
            #expect(lines.contains { $0.hasPrefix("Step 3/") && $0.hasSuffix("RUN sh -c 'echo failing >&2; exit 7'") })
            // forcerm: no intermediate container of the failed step is left behind.
            let leftovers = try docker.raw(
                "GET", "/containers/json?all=1&filters=%7B%22status%22:%5B%22exited%22%5D%7D")
            #expect(!leftovers.body.contains("echo failing"))
            // The steps that succeeded left untagged layers without labels (the builder adds the labels as
            // last steps), which Slipway's prune cannot see: remove them here, and only untagged ones.
            for line in lines where line.hasPrefix(" ---> ") {
                let id = String(line.dropFirst(6))
                guard id.allSatisfy(\.isHexDigit),
                    try docker.raw("GET", "/images/\(id)/json").body.contains(#""RepoTags":[]"#)
                else { continue }
                _ = try docker.raw("DELETE", "/images/\(id)")
            }
        }
    }

    @Test("tag, inspect and remove act on Slipway's images; prune leaves a look-alike image alone")
    func tagRemovePrune() async throws {
        try await DockerTestContext.run { docker in
            var context = TarArchive()
            try context.addFile("Dockerfile", text: "FROM \(DockerTestEngine.baseImage)\nLABEL purpose=ours\n")
            let name = DockerTestEngine.uniqueName("tagged")
            _ = try await docker.client.buildImage(context: context, tags: ["\(name):one"], labels: docker.labels)
                .collect()
            try await docker.client.tagImage("\(name):one", repository: name, tag: "two")
            let tagged = try await docker.client.inspectImage("\(name):two")
            #expect(Set(tagged.repoTags ?? []) == ["\(name):one", "\(name):two"])
            #expect(try await docker.client.listImages(matching: docker.selector).map(\.id) == [tagged.id])

            let removed = try await docker.client.removeImage("\(name):two")
            #expect(removed.contains { $0.untagged == "\(name):two" })
            #expect(try await docker.client.inspectImage("\(name):one").id == tagged.id)

            // A look-alike: same environment label, built outside Slipway, without the managed label.
            let foreign = DockerTestEngine.uniqueName("foreign")
            let labels = docker.foreignLabelsJSON.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            let built = try DockerTestEngine.rawRequest(
                "POST", "/build?t=\(foreign):latest&labels=\(labels)", body: context.bytes,
                contentType: "application/x-tar", socketPath: docker.socketPath)
            #expect(built.status == 200)
            defer { _ = try? docker.raw("DELETE", "/images/\(foreign):latest?force=1") }

            let refused = await #expect(throws: DockerError.self) {
                try await docker.client.removeImage("\(foreign):latest")
            }
            #expect(refused?.kind == .notManaged)
            await #expect(throws: DockerError.self) {
                try await docker.client.tagImage(DockerTestEngine.baseImage, repository: foreign, tag: "stolen")
            }

            let report = try await docker.client.pruneImages(matching: docker.selector)
            #expect(report.deleted.contains(tagged.id))
            #expect(try docker.raw("GET", "/images/\(foreign):latest/json").status == 200)
            #expect(try docker.raw("GET", "/images/\(DockerTestEngine.baseImage)/json").status == 200)
            let gone = await #expect(throws: DockerError.self) { try await docker.client.inspectImage("\(name):one") }
            #expect(gone?.kind == .notFound)
        }
    }
}
