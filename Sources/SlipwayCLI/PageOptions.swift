import ArgumentParser

/// `--limit` and `--offset` of the commands that list a page of records, newest first.
struct PageOptions: ParsableArguments {
    @Option(help: "How many to list, 1 to 100.")
    var limit = 20

    @Option(help: "How many of the newest to skip.")
    var offset = 0

    func validate() throws {
        guard (1...100).contains(limit) else { throw ValidationError("--limit must be between 1 and 100") }
        guard offset >= 0 else { throw ValidationError("--offset must not be negative") }
    }

    /// The page's query string, `?limit=20&offset=0`.
    var query: String { "?limit=\(limit)&offset=\(offset)" }
}
