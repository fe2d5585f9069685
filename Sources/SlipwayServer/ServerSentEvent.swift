import Foundation
import Hummingbird
import ServiceLifecycle

/// One event of a `text/event-stream` body (Server-Sent Events), the way the dashboard and the CLI follow
/// work as it happens.
public struct ServerSentEvent: Sendable, Equatable {
    /// The event's id; a client that reconnects sends the last one it saw as `Last-Event-ID`.
    public var id: String?
    /// The event's type; nil is the default type, `message`.
    public var event: String?
    public var data: String

    public init(id: String? = nil, event: String? = nil, data: String) {
        self.id = id
        self.event = event
        self.data = data
    }

    /// An event whose data is `value` as JSON, encoded like every response of the API.
    public init(id: String? = nil, event: String, json value: some Encodable) throws {
        self.init(id: id, event: event, data: String(decoding: try responseEncoder.encode(value), as: UTF8.self))
    }

    /// The event on the wire: `id:`, `event:`, a `data:` line for each line of its data, and a blank line.
    public var encoded: String {
        var text = ""
        if let id { text += "id: \(Self.field(id))\n" }
        if let event { text += "event: \(Self.field(event))\n" }
        for line in data.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            text += "data: \(line)\n"
        }
        return text + "\n"
    }

    /// A comment line: clients ignore it, proxies see traffic and keep the connection open.
    public static let keepAlive = ": keep-alive\n\n"
    public static let keepAliveInterval: Duration = .seconds(15)
    /// No stream stays open longer: a client that still wants it reconnects.
    public static let maximumDuration: Duration = .seconds(2 * 60 * 60)

    /// An id or a type is one line: a line break in it would end the event early.
    private static func field(_ value: String) -> String {
        String(value.unicodeScalars.filter { $0 != "\n" && $0 != "\r" && $0 != "\0" })
    }

    /// A body that writes `events` as they come, with a keep-alive comment every `keepAlive`. It ends when
    /// the events end, after `limit`, or when the server shuts down gracefully (an open stream must not
    /// hold the shutdown up). A client that went away fails the next write, which cancels the events.
    public static func responseBody(
        _ events: any AsyncSequence<ServerSentEvent, any Error> & Sendable, keepAlive: Duration = keepAliveInterval,
        limit: Duration = maximumDuration
    ) -> ResponseBody {
        ResponseBody { writer in
            let (buffers, output) = AsyncStream.makeStream(of: ByteBuffer.self)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    defer { output.finish() }
                    // A failure of the events ends the stream; the client reconnects or reads the record.
                    try? await cancelWhenGracefulShutdown {
                        for try await event in events { output.yield(ByteBuffer(string: event.encoded)) }
                    }
                }
                group.addTask {
                    while true {
                        try await Task.sleep(for: keepAlive)
                        output.yield(ByteBuffer(string: Self.keepAlive))
                    }
                }
                group.addTask {
                    try await Task.sleep(for: limit)
                    output.finish()
                }
                for await buffer in buffers { try await writer.write(buffer) }
                group.cancelAll()
            }
            try await writer.finish(nil)
        }
    }
}
