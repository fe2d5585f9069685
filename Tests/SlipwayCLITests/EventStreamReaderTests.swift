import Foundation
import Testing

@testable import SlipwayCLI

/// The Server-Sent Events reader: the same events whatever the chunks the network cuts the stream into.
@Suite("event stream reader")
struct EventStreamReaderTests {
    typealias Event = EventStreamReader.Event

    /// A stream as a server may write it: comments, CRLF and CR line ends, multi-line data, a field without
    /// a value, an unknown field, a comment before the first event, non-ASCII text.
    static let stream: [UInt8] = Array(
        [
            ": keep-alive\n\n",
            "id: 0\nevent: step\ndata: {\"name\":\"check the snapshot’s checksums\"}\n\n",
            "event: step\r\nid: 1\r\ndata: line one\r\ndata: line two\r\nretry: 3000\r\n\r\n",
            ": keep-alive\r\rdata:no space\rdata\r\r",
            "event: restore\ndata: {\"status\":\"failed\",\"statusReason\":\"ünïcode ✓\"}\n\n",
            "event: step\nid: 9\ndata: never finished",
        ].joined().utf8)

    static let expected = [
        Event(type: "step", data: "{\"name\":\"check the snapshot’s checksums\"}", id: "0"),
        Event(type: "step", data: "line one\nline two", id: "1"),
        Event(type: "message", data: "no space\n", id: "1"),
        Event(type: "restore", data: "{\"status\":\"failed\",\"statusReason\":\"ünïcode ✓\"}", id: "1"),
    ]

    static func read(_ chunks: [ArraySlice<UInt8>]) -> (events: [Event], lastEventId: String?) {
        var reader = EventStreamReader()
        let events = chunks.flatMap { reader.feed($0) }
        return (events, reader.lastEventId)
    }

    @Test("whole, byte by byte, or cut at every position (inside CRLF and UTF-8 characters), the events are the same")
    func chunkBoundaries() {
        let whole = Self.read([Self.stream[...]])
        #expect(whole.events == Self.expected)
        // The unfinished last event is never dispatched, but its id is the one to resume from.
        #expect(whole.lastEventId == "9")

        #expect(Self.read(Self.stream.map { [$0][...] }).events == Self.expected)
        for cut in 1..<Self.stream.count {
            let read = Self.read([Self.stream[..<cut], Self.stream[cut...]])
            #expect(read.events == Self.expected, "cut at byte \(cut)")
        }
        // Three cuts at odd places, among them the middle of "’" (3 bytes) and of "\r\n".
        let quote = Self.stream.firstIndex(of: 0xE2) ?? 0
        let crlf = Self.stream.firstIndex(of: UInt8(ascii: "\r")) ?? 0
        let odd = [quote + 1, crlf + 1, Self.stream.count - 7].sorted()
        let pieces = [
            Self.stream[..<odd[0]], Self.stream[odd[0]..<odd[1]], Self.stream[odd[1]..<odd[2]],
            Self.stream[odd[2]...],
        ]
        #expect(Self.read(pieces).events == Self.expected)
    }

    @Test("a blank line with no data dispatches nothing; an id with NUL is ignored; a bare CR ends a line")
    func edges() {
        var reader = EventStreamReader()
        #expect(reader.feed(Array("id: 4\n\nevent: x\n\n".utf8)).isEmpty)
        #expect(reader.lastEventId == "4")
        #expect(reader.feed(Array("id: a\0b\ndata: y\r".utf8)).isEmpty)
        #expect(reader.feed(Array("\r".utf8)) == [Event(type: "message", data: "y", id: "4")])
    }
}
