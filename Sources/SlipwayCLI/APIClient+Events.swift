import AsyncHTTPClient
import Foundation

extension APIClient {
    /// Follows the Server-Sent Events stream at `path`, handing each event to `handle` until the server
    /// ends the stream or `handle` answers false. Answers false, having handed over nothing, when the
    /// server answers 404 (it has no such stream: an older server, or no such record); any other answer
    /// outside 2xx throws like every call. `lastEventId` resumes a stream.
    func follow(
        _ path: String, lastEventId: String? = nil, _ handle: (EventStreamReader.Event) async throws -> Bool
    ) async throws -> Bool {
        var request = request(.get, path, body: nil, accept: "text/event-stream")
        if let lastEventId { request.headers.add(name: "Last-Event-ID", value: lastEventId) }
        let response: HTTPClientResponse
        do {
            // The timeout is for the answer's head; the stream itself stays open as long as it runs.
            response = try await httpClient.execute(request, timeout: .seconds(timeoutSeconds))
        } catch {
            throw Self.transportError(error, baseURL: baseURL)
        }
        let status = Int(response.status.code)
        if status == 404 { return false }
        guard (200..<300).contains(status) else {
            let body = try? await response.body.collect(upTo: Self.maximumBodyBytes)
            throw CLIError.api(
                status: status, body: body.map { Data($0.readableBytesView) } ?? Data(), path: path, baseURL: baseURL)
        }
        guard response.headers.first(name: "Content-Type")?.hasPrefix("text/event-stream") == true else {
            throw CLIError.unexpectedReply(path: path, baseURL: baseURL, reason: "it is not a text/event-stream")
        }
        var reader = EventStreamReader()
        var chunks = response.body.makeAsyncIterator()
        while true {
            let chunk: HTTPClientResponse.Body.Element?
            do {
                chunk = try await chunks.next()
            } catch {
                throw Self.transportError(error, baseURL: baseURL)
            }
            guard let chunk else { return true }
            for event in reader.feed(chunk.readableBytesView) {
                guard try await handle(event) else { return true }
            }
        }
    }
}
