import Foundation
import SlipwayCore

/// One result row, read by column name. A missing column or a value of the wrong type is a
/// store bug, reported as an internal error rather than a crash.
public struct SQLRow: Sendable {
    public var values: [String: SQLValue]

    public init(values: [String: SQLValue]) { self.values = values }

    private func value(_ column: String) throws -> SQLValue {
        guard let value = values[column] else { throw SQLError.decoding("no column '\(column)' in the result") }
        return value
    }

    public func string(_ column: String) throws -> String {
        guard let value = try optionalString(column) else { throw SQLError.decoding("'\(column)' is null") }
        return value
    }

    public func optionalString(_ column: String) throws -> String? {
        switch try value(column) {
        case .null: return nil
        case .text(let text): return text
        case .integer(let number): return String(number)
        case .real(let number): return String(number)
        }
    }

    public func int(_ column: String) throws -> Int {
        guard let value = try optionalInt(column) else { throw SQLError.decoding("'\(column)' is null") }
        return value
    }

    public func optionalInt(_ column: String) throws -> Int? {
        switch try value(column) {
        case .null: return nil
        case .integer(let number): return Int(number)
        case .real(let number): return Int(number)
        case .text(let text):
            guard let number = Int(text) else { throw SQLError.decoding("'\(column)' is not a number") }
            return number
        }
    }

    public func bool(_ column: String) throws -> Bool { try int(column) != 0 }

    public func date(_ column: String) throws -> Date {
        guard let value = try optionalDate(column) else { throw SQLError.decoding("'\(column)' is null") }
        return value
    }

    public func optionalDate(_ column: String) throws -> Date? {
        try optionalInt(column).map { Date(timeIntervalSince1970: Double($0) / 1000) }
    }

    /// A column holding a raw-value enum.
    public func `enum`<E: RawRepresentable>(_ column: String, as type: E.Type = E.self) throws -> E
    where E.RawValue == String {
        let raw = try string(column)
        guard let value = E(rawValue: raw) else { throw SQLError.decoding("'\(column)' holds unknown value '\(raw)'") }
        return value
    }

    /// A column holding JSON text.
    public func json<T: Decodable>(_ column: String, as type: T.Type = T.self, decoder: JSONDecoder = JSONDecoder())
        throws -> T
    {
        let text = try string(column)
        return try decoder.decode(T.self, from: Data(text.utf8))
    }
}

extension JSONDecoder {
    /// How JSON columns are read: dates as milliseconds since 1970, like the date columns.
    static var store: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return decoder
    }
}

extension JSONEncoder {
    /// How JSON columns are written: dates as milliseconds since 1970, keys sorted.
    static var store: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}

extension SQLValue {
    /// A value as a JSON text column.
    static func json<T: Encodable>(_ value: T?) throws -> SQLValue {
        guard let value else { return .null }
        return .text(String(decoding: try JSONEncoder.store.encode(value), as: UTF8.self))
    }
}
