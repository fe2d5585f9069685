import AsyncHTTPClient
import NIOCore

/// A container's (or an exec's) output, line by line, each line tagged stdout or stderr.
///
/// The engine's 8-byte frame headers are taken apart here (see ``LogDemultiplexer``). A stream that
/// follows the logs ends when the container stops or when the task iterating it is cancelled.
public struct ContainerLogStream: AsyncSequence, Sendable {
    public typealias Element = OutputLine

    let body: HTTPClientResponse.Body
    let tty: Bool
    let operation: String

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(body: body.makeAsyncIterator(), demultiplexer: LogDemultiplexer(tty: tty), operation: operation)
    }

    /// Reads the stream to its end and returns every line.
    public func collect() async throws -> [OutputLine] {
        var all: [OutputLine] = []
        for try await line in self {
            all.append(line)
        }
        return all
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var body: HTTPClientResponse.Body.AsyncIterator
        var demultiplexer: LogDemultiplexer
        let operation: String
        private var ready: [OutputLine] = []
        private var ended = false

        init(body: HTTPClientResponse.Body.AsyncIterator, demultiplexer: LogDemultiplexer, operation: String) {
            self.body = body
            self.demultiplexer = demultiplexer
            self.operation = operation
        }

        public mutating func next() async throws -> OutputLine? {
            while ready.isEmpty {
                if ended {
                    return nil
                }
                let buffer: ByteBuffer?
                do {
                    buffer = try await body.next()
                } catch {
                    throw DockerClient.transportError(error, operation: operation, timeout: .zero)
                }
                if let buffer {
                    ready = demultiplexer.feed(buffer.readableBytesView)
                } else {
                    ended = true
                    ready = demultiplexer.finish()
                }
            }
            return ready.removeFirst()
        }
    }
}
