/// Turns the engine's multiplexed output of a container without a TTY into lines per stream.
///
/// Each chunk the engine sends starts with an 8-byte header: the stream (0 stdin, 1 stdout, 2 stderr),
/// three zero bytes, and the chunk's length as a big-endian 32-bit number. Headers and chunks may be cut
/// anywhere by the transport, and a line may span chunks, so both are buffered. With `tty: true` the
/// output has no headers and all of it is stdout.
struct LogDemultiplexer: Sendable {
    private let tty: Bool
    private var header: [UInt8] = []
    private var remaining = 0
    private var current: OutputLine.Stream = .stdout
    private var stdout = LineSplitter()
    private var stderr = LineSplitter()

    init(tty: Bool = false) {
        self.tty = tty
    }

    /// The lines completed by `bytes`, in the order they were completed.
    mutating func feed(_ bytes: some Collection<UInt8>) -> [OutputLine] {
        if tty {
            return stdout.feed(bytes).map { OutputLine(.stdout, $0) }
        }
        var lines: [OutputLine] = []
        var rest = bytes[...]
        while !rest.isEmpty {
            if remaining == 0 {
                let needed = 8 - header.count
                header.append(contentsOf: rest.prefix(needed))
                rest = rest.dropFirst(needed)
                guard header.count == 8 else { break }
                current = header[0] == 2 ? .stderr : .stdout
                remaining = header[4...7].reduce(0) { $0 << 8 | Int($1) }
                header.removeAll(keepingCapacity: true)
                continue
            }
            let chunk = rest.prefix(remaining)
            rest = rest.dropFirst(chunk.count)
            remaining -= chunk.count
            switch current {
            case .stdout: lines += stdout.feed(chunk).map { OutputLine(.stdout, $0) }
            case .stderr: lines += stderr.feed(chunk).map { OutputLine(.stderr, $0) }
            }
        }
        return lines
    }

    /// The unfinished last lines when the output ends without a newline.
    mutating func finish() -> [OutputLine] {
        [stdout.finish().map { OutputLine(.stdout, $0) }, stderr.finish().map { OutputLine(.stderr, $0) }]
            .compactMap { $0 }
    }
}
