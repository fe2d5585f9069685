import Foundation
import Synchronization

/// Requests and replies of one SFTP conversation over the standard input and output of an
/// `ssh -s ... sftp` process: numbers each request, writes it, and hands each reply to the one waiting
/// for it (replies may come in any order). Many requests can be in flight at once.
///
/// `receive(_:)` is fed by the session's reader with the process's events. When the process ends, or
/// sends something that is not SFTP, every waiter fails with `End` and so does every later request: a
/// dead `ssh` never leaves a caller hanging.
final class SFTPChannel: Sendable {
    /// Why the conversation is over.
    enum End: Error, Equatable {
        /// The `ssh` process exited; `stderr` is the end of what it printed.
        case exited(exitCode: Int32, stderr: String)
        /// The server sent bytes that are not SFTP; the process was stopped.
        case malformed(String)
        /// `close()` ended it.
        case closed
    }

    private enum Slot {
        case sent
        case waiting(CheckedContinuation<SFTPPacket.Response, any Error>)
        case arrived(SFTPPacket.Response)
    }

    private struct State {
        var nextID: UInt32 = 1
        /// By request id; the VERSION reply to INIT goes under 0, which no request uses.
        var slots: [UInt32: Slot] = [:]
        var framer = SFTPPacketFramer()
        var stderrTail = ""
        var end: End?
        var exited = false
    }

    private let process: LocalProcess
    private let state = Mutex(State())
    /// How long a reply may take (`reply(to:for:)`).
    let requestTimeout: Duration

    init(process: LocalProcess, requestTimeout: Duration) {
        self.process = process
        self.requestTimeout = requestTimeout
    }

    /// Sends INIT and waits for VERSION (a slot like any request's, so `response(to: 0)` is the wait).
    func sendInitialize() throws(End) {
        try write(SFTPPacket.initialize(), id: 0)
    }

    /// Numbers `request`, writes it and returns its id, for `response(to:)` or `abandon(_:)`.
    func send(_ request: SFTPPacket.Request) throws -> UInt32 {
        let id = state.withLock { state -> UInt32 in
            defer { state.nextID = state.nextID == .max ? 1 : state.nextID + 1 }
            return state.nextID
        }
        try write(try SFTPPacket.encode(request, id: id), id: id)
        return id
    }

    private func write(_ packet: Data, id: UInt32) throws(End) {
        // Registered before the bytes go out, so a reply cannot arrive for a slot that does not exist yet.
        let ended = state.withLock { state -> End? in
            if let end = state.end { return end }
            state.slots[id] = .sent
            return nil
        }
        if let ended { throw ended }
        do {
            try process.writeInput(packet)
        } catch {
            _ = state.withLock { $0.slots.removeValue(forKey: id) }
            throw currentEnd ?? .exited(exitCode: -1, stderr: "standard input of ssh is closed")
        }
    }

    /// The reply to request `id`. Cancelling the calling task abandons the request (a late reply is
    /// dropped) and throws `CancellationError`.
    func response(to id: UInt32) async throws -> SFTPPacket.Response {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let outcome = state.withLock { state -> Result<SFTPPacket.Response, any Error>? in
                    if Task.isCancelled {
                        state.slots[id] = nil
                        return .failure(CancellationError())
                    }
                    switch state.slots[id] {
                    case .arrived(let response):
                        state.slots[id] = nil
                        return .success(response)
                    case .sent:
                        state.slots[id] = .waiting(continuation)
                        return nil
                    case .waiting, nil:
                        return .failure(state.end ?? End.malformed("no request \(id) is waiting for a reply"))
                    }
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            abandon(id)
        }
    }

    /// Forgets request `id`: its reply, whenever it comes, is dropped. A task waiting for it gets
    /// `CancellationError`.
    func abandon(_ id: UInt32) {
        let slot = state.withLock { $0.slots.removeValue(forKey: id) }
        if case .waiting(let continuation) = slot { continuation.resume(throwing: CancellationError()) }
    }

    /// Takes one event of the process: replies are matched to their requests; the exit ends the channel.
    func receive(_ event: LocalProcess.Event) {
        switch event {
        case .stdout(let bytes):
            do {
                for response in try state.withLock({ state in try Self.parse(bytes, framer: &state.framer) }) {
                    deliver(response)
                }
            } catch {
                finish(.malformed("\(error)"))
                process.terminate()
            }
        case .stderr(let bytes):
            state.withLock { state in
                state.stderrTail = String((state.stderrTail + String(decoding: bytes, as: UTF8.self)).suffix(4096))
            }
        case .exited(let termination):
            let stderr = state.withLock { $0.stderrTail }
            finish(.exited(exitCode: termination.exitCode, stderr: stderr))
            state.withLock { $0.exited = true }
        }
    }

    /// Whether the `ssh` process has exited (its last event was received).
    var hasExited: Bool { state.withLock { $0.exited } }

    /// Why the channel ended, nil while it runs.
    var currentEnd: End? { state.withLock { $0.end } }

    /// Fails whatever is in flight with `End.closed` and ends standard input: the server's sftp program
    /// exits, then `ssh`.
    func close() {
        finish(.closed)
        process.closeInput()
    }

    /// Stops the `ssh` process (SIGTERM, then SIGKILL).
    func terminate() {
        process.terminate()
    }

    private static func parse(_ bytes: Data, framer: inout SFTPPacketFramer) throws(SFTPPacket.Malformed)
        -> [SFTPPacket.Response]
    {
        framer.append(bytes)
        var responses: [SFTPPacket.Response] = []
        while let body = try framer.next() { responses.append(try SFTPPacket.decode(body)) }
        return responses
    }

    private func deliver(_ response: SFTPPacket.Response) {
        let id = response.id ?? 0
        let waiter = state.withLock { state -> CheckedContinuation<SFTPPacket.Response, any Error>? in
            switch state.slots[id] {
            case .sent:
                state.slots[id] = .arrived(response)
                return nil
            case .waiting(let continuation):
                state.slots[id] = nil
                return continuation
            case .arrived, nil:
                return nil  // abandoned, or a reply the server repeated: nobody asked
            }
        }
        waiter?.resume(returning: response)
    }

    /// Fails every waiter and every later request with `end` (the first reason sticks). Replies that
    /// arrived before stay readable.
    private func finish(_ end: End) {
        let waiters = state.withLock { state -> [CheckedContinuation<SFTPPacket.Response, any Error>] in
            if state.end == nil { state.end = end }
            var waiters: [CheckedContinuation<SFTPPacket.Response, any Error>] = []
            for (id, slot) in state.slots {
                switch slot {
                case .waiting(let continuation):
                    waiters.append(continuation)
                    state.slots[id] = nil
                case .sent: state.slots[id] = nil
                case .arrived: break
                }
            }
            return waiters
        }
        let reason = currentEnd ?? end
        for waiter in waiters { waiter.resume(throwing: reason) }
    }
}
