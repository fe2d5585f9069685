import AsyncHTTPClient
import Foundation
import NIOCore

/// The progress of a build or a push, line by line.
///
/// The engine sends JSON messages, and cuts build output between them anywhere (`Step 1/3 : FROM x` and
/// its newline arrive apart): `stream` text is regrouped here so that each element carries one whole line
/// of it, without the newline; blank lines are dropped. Other messages (status, aux) pass as they come.
/// Iterating throws a ``DockerError`` (`buildFailed` or `pushFailed`) with the engine's message when a line
/// carries an `errorDetail`, since the engine reports those failures inside a successful HTTP answer.
/// Cancelling the task that iterates cancels the request.
public struct DockerProgressStream: AsyncSequence, Sendable {
    public typealias Element = DockerProgress

    let body: HTTPClientResponse.Body
    let failureKind: DockerError.Kind
    let operation: String

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(body: body.makeAsyncIterator(), failureKind: failureKind, operation: operation)
    }

    /// Reads the stream to its end and returns every line; throws on the first failure.
    public func collect() async throws -> [DockerProgress] {
        var all: [DockerProgress] = []
        for try await progress in self {
            all.append(progress)
        }
        return all
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var body: HTTPClientResponse.Body.AsyncIterator
        let failureKind: DockerError.Kind
        let operation: String
        private var splitter = LineSplitter()
        private var messages: [String] = []
        private var ready: [DockerProgress] = []
        private var text = LineSplitter()
        private var ended = false

        init(body: HTTPClientResponse.Body.AsyncIterator, failureKind: DockerError.Kind, operation: String) {
            self.body = body
            self.failureKind = failureKind
            self.operation = operation
        }

        public mutating func next() async throws -> DockerProgress? {
            while true {
                if !ready.isEmpty {
                    return ready.removeFirst()
                }
                if !messages.isEmpty {
                    let message = messages.removeFirst()
                    guard !message.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
                    let progress = try decode(message)
                    if let stream = progress.stream {
                        ready = text.feed(stream.utf8).map { DockerProgress(stream: $0) }
                    } else {
                        ready = [progress]
                    }
                    ready.removeAll { $0.stream?.allSatisfy(\.isWhitespace) == true }
                    continue
                }
                if ended {
                    if let rest = text.finish(), !rest.allSatisfy(\.isWhitespace) {
                        return DockerProgress(stream: rest)
                    }
                    return nil
                }
                let buffer: ByteBuffer?
                do {
                    buffer = try await body.next()
                } catch {
                    throw DockerClient.transportError(error, operation: operation, timeout: .zero)
                }
                if let buffer {
                    messages = splitter.feed(buffer.readableBytesView)
                } else {
                    ended = true
                    messages = splitter.finish().map { [$0] } ?? []
                }
            }
        }

        private func decode(_ line: String) throws -> DockerProgress {
            let progress: DockerProgress
            do {
                progress = try JSONDecoder().decode(DockerProgress.self, from: Data(line.utf8))
            } catch {
                throw DockerError(
                    .unexpectedResponse, message: "not a progress line: \(line.prefix(200))", operation: operation)
            }
            if let failure = progress.failure {
                throw DockerError(failureKind, message: failure, operation: operation)
            }
            return progress
        }
    }
}
