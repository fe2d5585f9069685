/// One line a command or a container wrote, without its line break, and the stream it went to.
/// Shared by the SSH transport (streamed remote commands) and the Docker client (logs, exec, build).
public struct OutputLine: Sendable, Equatable {
    /// Which output stream a line came from.
    public enum Stream: String, Sendable, Equatable, Codable {
        case stdout
        case stderr
    }

    public var stream: Stream
    public var text: String

    public init(_ stream: Stream, _ text: String) {
        self.stream = stream
        self.text = text
    }
}
