/// One line of the JSON progress stream the engine sends while it builds or pushes an image.
public struct DockerProgress: Codable, Sendable, Equatable {
    /// Extra data some lines carry: the built image's id, or the pushed tag's digest.
    public struct Aux: Codable, Sendable, Equatable {
        /// The image id a build produced (`sha256:...`).
        public var imageId: String?
        public var tag: String?
        /// The digest a push produced (`sha256:...`).
        public var digest: String?
        public var size: Int?

        enum CodingKeys: String, CodingKey {
            case imageId = "ID"
            case tag = "Tag"
            case digest = "Digest"
            case size = "Size"
        }
    }

    /// The engine's description of a failure, which ends the stream.
    public struct ErrorDetail: Codable, Sendable, Equatable {
        public var code: Int?
        public var message: String
    }

    /// One line of build output, like `Step 1/3 : FROM base` (see ``DockerProgressStream``).
    public var stream: String?
    /// A layer's or the operation's state, like `Pushing` or `Pushed`.
    public var status: String?
    /// A progress bar the engine drew, like `[=====>    ]  1.2MB/2.4MB`.
    public var progress: String?
    /// The layer or tag `status` is about.
    public var id: String?
    public var aux: Aux?
    public var error: String?
    public var errorDetail: ErrorDetail?

    public init(stream: String? = nil, status: String? = nil, id: String? = nil, aux: Aux? = nil) {
        self.stream = stream
        self.status = status
        self.id = id
        self.aux = aux
    }

    /// The failure this line reports, if it reports one.
    public var failure: String? {
        errorDetail?.message ?? error
    }

    /// The line as a person reads it, without the trailing newline.
    public var text: String {
        if let stream {
            return String(stream.reversed().drop(while: \.isNewline).reversed())
        }
        if let failure {
            return failure
        }
        return [id.map { "\($0):" }, status, progress].compactMap { $0 }.joined(separator: " ")
    }
}
