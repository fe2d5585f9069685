/// One record for people: `key: value` lines with the values aligned, in a fixed order.
/// Missing values print as `-`. Values are sanitized for the terminal.
public struct DetailList: Sendable, Equatable {
    public var fields: [(key: String, value: String)]

    public init(_ fields: [(String, String?)]) {
        self.fields = fields.map { (key: $0.0, value: $0.1 ?? "-") }
    }

    public func render() -> String {
        let width = (fields.map(\.key.count).max() ?? 0) + 1
        return fields.map { field in
            let label = field.key + ":"
            return label + String(repeating: " ", count: width - label.count + 1) + Sanitized.line(field.value)
        }.joined(separator: "\n")
    }

    public static func == (lhs: DetailList, rhs: DetailList) -> Bool {
        lhs.fields.map(\.key) == rhs.fields.map(\.key) && lhs.fields.map(\.value) == rhs.fields.map(\.value)
    }
}
