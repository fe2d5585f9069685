import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension LocalProcess {
    /// Standard input written while the program runs (`Input.stream`): callers queue bytes without
    /// waiting, and a thread of its own writes them in order, waiting on the socket when the program
    /// reads slower than we write. That thread owns the descriptor and closes it: after the queue when
    /// the input is closed, at once when the program exits or stops reading.
    final class StreamingInput: Sendable {
        private struct State {
            var queue: [Data] = []
            /// `closeInput()`: no more bytes; end the input after those queued.
            var closing = false
            /// The program exited, or a write failed: queued bytes are dropped.
            var stopped = false
        }

        private let descriptor: Int32
        private let state = Mutex(State())
        /// Signalled on every change of `state`, so the writer thread sleeps while there is nothing to do.
        private let wake = DispatchSemaphore(value: 0)

        init(descriptor: Int32) {
            self.descriptor = descriptor
        }

        func enqueue(_ data: Data) throws(LocalProcessError) {
            let accepted = state.withLock { state -> Bool in
                guard !state.closing, !state.stopped else { return false }
                state.queue.append(data)
                return true
            }
            guard accepted else { throw LocalProcessError("standard input is closed") }
            wake.signal()
        }

        func close() {
            state.withLock { $0.closing = true }
            wake.signal()
        }

        func stop() {
            state.withLock { state in
                state.stopped = true
                state.queue = []
            }
            wake.signal()
        }

        func run() {
            defer { closeDescriptor(descriptor) }
            while true {
                wake.wait()
                let (batch, closing) = state.withLock { state -> ([Data], Bool) in
                    defer { state.queue = [] }
                    return (state.stopped ? [] : state.queue, state.closing || state.stopped)
                }
                for data in batch where !writeAll(data) {
                    stop()
                    return
                }
                // Nothing is queued after `closing` is set, and this batch was all there was.
                if closing { return }
            }
        }

        /// Writes all of `data`, waiting for room on the socket; false when the reader is gone or the
        /// program exited meanwhile.
        private func writeAll(_ data: Data) -> Bool {
            var written = 0
            while true {
                switch sendAvailable(descriptor, data, written: &written) {
                case .done: return true
                case .failed: return false
                case .socketFull:
                    // Wait for room, looking up now and then in case the program exited without reading.
                    var entry = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&entry, 1, 100)
                    if state.withLock({ $0.stopped }) { return false }
                }
            }
        }
    }
}

/// `close(2)`, named apart from `StreamingInput.close()`.
private func closeDescriptor(_ descriptor: Int32) {
    close(descriptor)
}
