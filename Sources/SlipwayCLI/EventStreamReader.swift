/// Reads a `text/event-stream` (Server-Sent Events) as it arrives, in chunks that may end anywhere: in a
/// line, between a CR and its LF, or inside a UTF-8 character. It follows the HTML standard's parsing:
/// lines end in LF, CR or CRLF; a blank line dispatches the event; `:` starts a comment; unknown fields
/// and an event left unfinished when the stream ends are dropped.
struct EventStreamReader: Sendable {
    /// One event: its type (`message` when the stream names none), its data lines joined by newlines, and
    /// the last event id the stream had set when it came.
    struct Event: Sendable, Equatable {
        var type: String
        var data: String
        var id: String?
    }

    /// The last id the stream set, to send as `Last-Event-ID` when reconnecting.
    private(set) var lastEventId: String?
    private var line: [UInt8] = []
    /// The last chunk ended in CR: an LF that starts the next one ends no second line.
    private var afterCarriageReturn = false
    private var type = ""
    private var data: [String] = []

    /// Reads `bytes`, the next chunk of the stream, and answers the events it completes.
    mutating func feed(_ bytes: some Sequence<UInt8>) -> [Event] {
        var events: [Event] = []
        for byte in bytes {
            let lineFeedAfterCR = afterCarriageReturn && byte == UInt8(ascii: "\n")
            afterCarriageReturn = byte == UInt8(ascii: "\r")
            switch byte {
            case UInt8(ascii: "\n") where lineFeedAfterCR:
                continue
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                if let event = endLine() { events.append(event) }
            default:
                line.append(byte)
            }
        }
        return events
    }

    private mutating func endLine() -> Event? {
        let text = String(decoding: line, as: UTF8.self)
        line.removeAll(keepingCapacity: true)
        if text.isEmpty { return dispatch() }
        let name: Substring
        var value: Substring = ""
        if let colon = text.firstIndex(of: ":") {
            name = text[..<colon]
            value = text[text.index(after: colon)...]
            if value.first == " " { value = value.dropFirst() }
        } else {
            name = text[...]
        }
        switch name {
        case "": break  // a comment
        case "event": type = String(value)
        case "data": data.append(String(value))
        case "id" where !value.contains("\0"): lastEventId = String(value)
        default: break
        }
        return nil
    }

    private mutating func dispatch() -> Event? {
        defer {
            type = ""
            data = []
        }
        guard !data.isEmpty else { return nil }
        return Event(type: type.isEmpty ? "message" : type, data: data.joined(separator: "\n"), id: lastEventId)
    }
}
