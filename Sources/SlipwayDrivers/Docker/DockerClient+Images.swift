import Foundation

extension DockerClient {
    /// Builds an image from a tar context (`POST /build`) and streams the engine's progress line by line.
    /// The stream throws `buildFailed` with the failing step's message; a line's `aux.imageId` names the
    /// image built. The image carries `labels`; intermediate containers are removed even when a step fails.
    ///
    /// - Parameters:
    ///   - context: The build context, with the Dockerfile in it.
    ///   - tags: Names to give the image, like `slipway/app:abc123`.
    ///   - dockerfile: The Dockerfile's path inside the context.
    ///   - buildArguments: Values for the Dockerfile's `ARG`s.
    public func buildImage(
        context: TarArchive, tags: [String], labels: SlipwayLabels, dockerfile: String = "Dockerfile",
        buildArguments: [String: String] = [:], noCache: Bool = false
    ) async throws -> DockerProgressStream {
        var query = tags.map { ("t", $0) }
        query += [("dockerfile", dockerfile), ("rm", "1"), ("forcerm", "1")]
        // The engine's classic builder turns each label of `labels` into a step of its own (a container
        // created and committed, some 50 ms each); one LABEL instruction at the end of the Dockerfile is one.
        let labelled = try Self.labelInstruction(labels.dictionary()).flatMap { instruction in
            try context.replacingFile(dockerfile) { Self.appending(instruction, to: $0) }
        }
        if labelled == nil {
            query.append(("labels", try Self.jsonText(labels.dictionary())))
        }
        let context = labelled ?? context
        if !buildArguments.isEmpty {
            query.append(("buildargs", try Self.jsonText(buildArguments)))
        }
        if noCache {
            query.append(("nocache", "1"))
        }
        var request = DockerRequest(.post, "/build", query: query, body: context.bytes)
        request.contentType = "application/x-tar"
        // The first line comes only after the whole context is uploaded, which takes a while through SSH.
        request.extraTime = .seconds(300)
        let body = try await stream(request)
        return DockerProgressStream(body: body, failureKind: .buildFailed, operation: "build \(tags.first ?? "")")
    }

    /// `LABEL "key"="value" ...` for labels made of plain characters only (Slipway's own keys and ids); nil
    /// for anything else, which then goes in the build's `labels` parameter.
    static func labelInstruction(_ labels: [String: String]) -> String? {
        let plain = { (text: String) in
            !text.isEmpty
                && text.unicodeScalars.allSatisfy {
                    ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                        || "._-:/".unicodeScalars.contains($0)
                }
        }
        guard !labels.isEmpty, labels.allSatisfy({ plain($0.key) && plain($0.value) }) else { return nil }
        return "LABEL "
            + labels.sorted { $0.key < $1.key }.map { "\"\($0.key)\"=\"\($0.value)\"" }.joined(separator: " ")
    }

    /// The Dockerfile with `instruction` as its last line; nil when the file could join it to another line
    /// (it sets its own escape character in a parser directive, or ends in a line continuation) or is empty:
    /// the labels then go as the build's parameter instead.
    static func appending(_ instruction: String, to dockerfile: Data) -> Data? {
        let text = String(decoding: dockerfile, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let directive = lines.prefix { $0.hasPrefix("#") }.contains {
            $0.dropFirst().trimmingCharacters(in: .whitespaces).lowercased().hasPrefix("escape")
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !directive, !trimmed.hasSuffix("\\"), !trimmed.isEmpty else { return nil }
        return dockerfile + Data(((text.hasSuffix("\n") ? "" : "\n") + instruction + "\n").utf8)
    }

    /// An image's id, tags, labels and configuration.
    public func inspectImage(_ name: String) async throws -> ImageDetails {
        try await json(DockerRequest(.get, "/images/\(DockerRequest.segment(name))/json"))
    }

    /// Slipway's images (labelled `io.slipway.managed=true`), narrowed by `selector`.
    public func listImages(matching selector: SlipwayLabels.Selector = .all) async throws -> [ImageSummary] {
        try await json(DockerRequest(.get, "/images/json", query: [("filters", try selector.filters())]))
    }

    /// Gives one of Slipway's images another name, `repository:tag`.
    public func tagImage(_ name: String, repository: String, tag: String = "latest") async throws {
        let operation = "tag \(name)"
        let image = try await inspectImage(name)
        try requireManaged(image.config?.labels, "image \(name)", operation: operation)
        _ = try await data(
            DockerRequest(
                .post, "/images/\(DockerRequest.segment(image.id))/tag", query: [("repo", repository), ("tag", tag)]))
    }

    /// Pushes one of Slipway's images, `repository:tag`, to its registry and streams the progress; the
    /// stream throws `pushFailed` when the registry refuses. Without credentials the engine sends none,
    /// which is what an unauthenticated registry on the server's loopback wants.
    public func pushImage(
        _ repository: String, tag: String = "latest", credentials: RegistryCredentials? = nil
    ) async throws -> DockerProgressStream {
        let name = "\(repository):\(tag)"
        let image = try await inspectImage(name)
        try requireManaged(image.config?.labels, "image \(name)", operation: "push \(name)")
        let auth = try credentials.map { try JSONEncoder().encode($0) } ?? Data("{}".utf8)
        var request = DockerRequest(.post, "/images/\(DockerRequest.segment(repository))/push", query: [("tag", tag)])
        request.headers = [("X-Registry-Auth", Self.base64URL(auth))]
        let body = try await stream(request)
        return DockerProgressStream(body: body, failureKind: .pushFailed, operation: "push \(name)")
    }

    /// Removes one of Slipway's images by name: with several names only this one is taken off; with one,
    /// the image is deleted. Throws `conflict` while a container uses it, unless `force`.
    @discardableResult
    public func removeImage(_ name: String, force: Bool = false) async throws -> [ImageDeletion] {
        let image = try await inspectImage(name)
        try requireManaged(image.config?.labels, "image \(name)", operation: "remove image \(name)")
        // `app` means `app:latest`; a name that is not one of its tags (an id) deletes the image itself.
        let lastComponent = name.split(separator: "/").last ?? ""
        let tagged = lastComponent.contains(":") || name.hasPrefix("sha256:") ? name : name + ":latest"
        let target = image.repoTags?.contains(tagged) == true ? tagged : image.id
        return try await json(
            DockerRequest(.delete, "/images/\(DockerRequest.segment(target))", query: [("force", force ? "1" : "0")]))
    }

    /// Deletes Slipway's images that no container uses, narrowed by `selector`; only dangling (untagged)
    /// ones when `danglingOnly`. Images without the managed label are never touched.
    public func pruneImages(
        matching selector: SlipwayLabels.Selector = .all, danglingOnly: Bool = false
    ) async throws -> PruneReport {
        struct Answer: Decodable {
            let deleted: [ImageDeletion]?
            let spaceReclaimed: Int64?
            enum CodingKeys: String, CodingKey {
                case deleted = "ImagesDeleted"
                case spaceReclaimed = "SpaceReclaimed"
            }
        }
        let filters = try selector.filters(adding: ["dangling": [danglingOnly ? "true" : "false"]])
        let answer: Answer = try await json(DockerRequest(.post, "/images/prune", query: [("filters", filters)]))
        let deleted = (answer.deleted ?? []).compactMap { $0.deleted ?? $0.untagged }
        return PruneReport(deleted: deleted, spaceReclaimed: answer.spaceReclaimed ?? 0)
    }

    static func jsonText(_ value: some Encodable) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }

    /// Base64 with the URL-safe alphabet, as the engine reads `X-Registry-Auth`.
    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }
}

extension DockerClient {
    /// Pulls `repository:tag` from its registry and streams the progress; the stream throws `pullFailed`
    /// when the registry refuses or cannot be reached. Pulled images are not Slipway's (they carry no
    /// managed label): the services a server runs use them as they are.
    public func pullImage(_ repository: String, tag: String = "latest") async throws -> DockerProgressStream {
        let request = DockerRequest(.post, "/images/create", query: [("fromImage", repository), ("tag", tag)])
        let body = try await stream(request)
        return DockerProgressStream(body: body, failureKind: .pullFailed, operation: "pull \(repository):\(tag)")
    }

    /// Whether the engine holds an image of that name.
    public func hasImage(_ name: String) async throws -> Bool {
        do {
            _ = try await inspectImage(name)
            return true
        } catch let error as DockerError where error.kind == .notFound {
            return false
        }
    }
}
