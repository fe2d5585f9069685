/// How many TCP connections a container has open to its app's port, read from its `/proc/net/tcp` and
/// `/proc/net/tcp6` (state `01`, established). After a switch the proxy dials only the new colour, so the
/// connections the old colour still holds are requests in flight: the drain waits for them to end.
/// (Caddy's own per-upstream count is no use here: it forgets the old upstream when its route changes.)
enum OpenConnections {
    /// The established connections whose local port is `port`, from the text of `/proc/net/tcp*`.
    static func count(procNetTCP text: String, port: Int) -> Int {
        var count = 0
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            // sl local_address rem_address st ...; the header line has "local_address" and is skipped.
            guard fields.count > 3, fields[3] == "01",
                let colon = fields[1].lastIndex(of: ":"),
                let local = Int(fields[1][fields[1].index(after: colon)...], radix: 16)
            else { continue }
            if local == port { count += 1 }
        }
        return count
    }
}
