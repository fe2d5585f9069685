/// A table for people: a header row in capitals, columns padded to their widest cell and
/// separated by two spaces, no trailing spaces. Cells are sanitized for the terminal.
public struct Table: Sendable, Equatable {
    public var headers: [String]
    public var rows: [[String]]

    public init(headers: [String], rows: [[String]]) {
        self.headers = headers
        self.rows = rows
    }

    public func render() -> String {
        let columnCount = max(headers.count, rows.map(\.count).max() ?? 0)
        let lines = ([headers] + rows).map { row in
            (0..<columnCount).map { index in index < row.count ? Sanitized.line(row[index]) : "" }
        }
        let widths = (0..<columnCount).map { column in lines.map { $0[column].count }.max() ?? 0 }
        return lines.map { cells in
            var line = ""
            for (column, cell) in cells.enumerated() {
                if column > 0 { line += "  " }
                line += cell
                if column < columnCount - 1 {
                    line += String(repeating: " ", count: widths[column] - cell.count)
                }
            }
            return String(line.reversed().drop(while: { $0 == " " }).reversed())
        }.joined(separator: "\n")
    }
}
