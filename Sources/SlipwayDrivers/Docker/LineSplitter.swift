/// Cuts a byte stream into lines at `\n` (dropping a `\r` before it), keeping a partial line until the
/// rest of it arrives. Bytes that are not UTF-8 are replaced, never dropped.
struct LineSplitter: Sendable {
    private var pending: [UInt8] = []

    /// The lines completed by `bytes`.
    mutating func feed(_ bytes: some Sequence<UInt8>) -> [String] {
        var lines: [String] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                lines.append(take())
            } else {
                pending.append(byte)
            }
        }
        return lines
    }

    /// The last line when the stream ended without a newline, else nil.
    mutating func finish() -> String? {
        pending.isEmpty ? nil : take()
    }

    private mutating func take() -> String {
        if pending.last == UInt8(ascii: "\r") {
            pending.removeLast()
        }
        defer { pending.removeAll(keepingCapacity: true) }
        return String(decoding: pending, as: UTF8.self)
    }
}
