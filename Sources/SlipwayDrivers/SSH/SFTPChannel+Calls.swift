import Foundation

/// What a request is for: the operation and the path its errors name.
struct SFTPCall: Sendable {
    var operation: SFTPError.Operation
    var path: String
    var destination: String?

    init(_ operation: SFTPError.Operation, _ path: String, destination: String? = nil) {
        self.operation = operation
        self.path = path
        self.destination = destination
    }

    func error(_ kind: SFTPError.Kind, _ detail: String = "") -> SFTPError {
        SFTPError(kind, operation, path: path, destination: destination, detail: detail)
    }

    func error(status code: UInt32, message: String) -> SFTPError {
        SFTPError(status: code, operation, path: path, destination: destination, detail: message)
    }

    func error(for end: SFTPChannel.End) -> SFTPError {
        switch end {
        case .exited(let exitCode, let stderr):
            let last = stderr.split(whereSeparator: \.isNewline).last { !$0.allSatisfy(\.isWhitespace) }
            return error(.connectionLost, last.map(String.init) ?? "ssh exited with status \(exitCode)")
        case .malformed(let reason): return error(.protocolViolation, reason)
        case .closed: return error(.closed)
        }
    }

    /// A reply of a kind this request does not get.
    func unexpected(_ response: SFTPPacket.Response) -> SFTPError {
        error(.protocolViolation, "unexpected reply \(response)".prefix(200).description)
    }
}

/// Requests whose errors are `SFTPError`s naming the operation and path, with a deadline on every reply.
extension SFTPChannel {
    func send(_ request: SFTPPacket.Request, for call: SFTPCall) throws(SFTPError) -> UInt32 {
        do {
            return try send(request)
        } catch let end as End {
            throw call.error(for: end)
        } catch {
            throw call.error(.invalidPath)
        }
    }

    /// The reply to `id`, within `requestTimeout`. Cancellation and the deadline abandon the request.
    func reply(to id: UInt32, for call: SFTPCall) async throws -> SFTPPacket.Response {
        do {
            return try await LocalProcess.withDeadline(requestTimeout) { try await self.response(to: id) }
        } catch let end as End {
            throw call.error(for: end)
        } catch SSHError.timedOut {
            throw call.error(.timedOut, "no reply within \(requestTimeout)")
        }
    }

    func request(_ request: SFTPPacket.Request, for call: SFTPCall) async throws -> SFTPPacket.Response {
        try await reply(to: try send(request, for: call), for: call)
    }

    /// A request answered by STATUS: OK returns, any other code throws.
    func expectOK(_ request: SFTPPacket.Request, for call: SFTPCall) async throws {
        try check(try await self.request(request, for: call), for: call)
    }

    func check(_ response: SFTPPacket.Response, for call: SFTPCall) throws(SFTPError) {
        switch response {
        case .status(_, let code, _) where code == SFTPStatus.ok: return
        case .status(_, let code, let message): throw call.error(status: code, message: message)
        default: throw call.unexpected(response)
        }
    }

    /// OPEN or OPENDIR: the handle for later requests.
    func handle(_ request: SFTPPacket.Request, for call: SFTPCall) async throws -> Data {
        let response = try await self.request(request, for: call)
        if case .handle(_, let handle) = response { return handle }
        try check(response, for: call)
        throw call.unexpected(response)
    }

    /// Sends `requests` without waiting for their replies, which will be dropped: the cleanup after a
    /// failure or cancellation (CLOSE, REMOVE), which the server still carries out in order.
    func sendAndForget(_ requests: [SFTPPacket.Request]) {
        for request in requests {
            guard let id = try? send(request) else { return }
            abandon(id)
        }
    }
}
