import Foundation
import Hummingbird
import SlipwayCore
import SlipwayStore

/// One call of a route: the request, its caller, its checked body and parameters.
public struct RouteCall: Sendable {
    public let request: Request
    public let context: AppContext
    public let backend: Backend
    public let route: APIRoute
    let identity: Identity?
    let body: ByteBuffer?

    /// The caller; routes that are not public always have one.
    public var caller: Identity {
        get throws {
            guard let identity else {
                throw SlipwayError(.unauthorized, code: "unauthorized", message: "a bearer token is required")
            }
            return identity
        }
    }

    public var store: any Store { backend.store }

    /// A path parameter; ids are short printable strings, anything else cannot name a record.
    public func parameter(_ name: String) throws -> String {
        guard let value = context.parameters.get(name) else {
            throw SlipwayError(
                .internal, code: "route_parameter", message: "route \(route.path) has no parameter \(name)")
        }
        return value
    }

    public func query(_ name: String) -> String? {
        request.uri.queryParameters.get(name)
    }

    public func queryInt(_ name: String, default value: Int) throws -> Int {
        guard let text = query(name) else { return value }
        guard let number = Int(text) else {
            throw SlipwayError.invalid(name, "must be a whole number (got '\(text.prefix(40))')")
        }
        return number
    }

    public func queryBool(_ name: String, default value: Bool) throws -> Bool {
        switch query(name) {
        case nil: return value
        case "true": return true
        case "false": return false
        case let text?: throw SlipwayError.invalid(name, "must be true or false (got '\(text.prefix(40))')")
        }
    }

    public func queryDate(_ name: String) throws -> Date? {
        guard let text = query(name) else { return nil }
        guard let date = ISO8601.parse(text) else {
            throw SlipwayError.invalid(name, "must be an ISO-8601 date-time like 2026-01-31T12:00:00Z")
        }
        return date
    }

    /// The body decoded as `T`, after checking it is a JSON object holding only the fields the
    /// route's schema names. Errors name the field at fault.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        guard let body, body.readableBytes > 0 else {
            throw SlipwayError(.badRequest, code: "body_required", message: "a JSON object body is required")
        }
        let data = Data(body.readableBytesView)
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw SlipwayError(.badRequest, code: "invalid_json", message: "the body is not valid JSON")
        }
        guard case .object(let object) = value else {
            throw SlipwayError(.badRequest, code: "invalid_json", message: "the body must be a JSON object")
        }
        let allowed = route.body?.propertyNames ?? []
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw SlipwayError.invalid(
                unknown, "unknown field; this route takes: \(allowed.sorted().joined(separator: ", "))")
        }
        do {
            return try requestDecoder.decode(T.self, from: data)
        } catch let error as DecodingError {
            throw Self.describe(error)
        }
    }

    /// The body decoded as `T` like `decode(_:)`, or `absent` when the request has none (a route whose
    /// every field is optional).
    public func decode<T: Decodable>(_ type: T.Type, ifAbsent absent: T) throws -> T {
        guard let body, body.readableBytes > 0 else { return absent }
        return try decode(type)
    }

    static func describe(_ error: DecodingError) -> SlipwayError {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
                .trimmingCharacters(in: CharacterSet(charactersIn: ".")).replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return .invalid(path(context.codingPath + [key]), "is required")
        case .typeMismatch(let type, let context):
            return .invalid(path(context.codingPath), "must be \(describe(type))")
        case .valueNotFound(let type, let context):
            return .invalid(path(context.codingPath), "must be \(describe(type)), not null")
        case .dataCorrupted(let context):
            return .invalid(path(context.codingPath), context.debugDescription)
        @unknown default:
            return SlipwayError(.badRequest, code: "invalid_body", message: "the body does not match the schema")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "a whole number"
        case is Bool.Type: "true or false"
        case is [Any].Type: "an array"
        default: "a \(type)".replacingOccurrences(of: "Swift.", with: "").lowercased()
        }
    }
}

/// Decodes request bodies: ISO-8601 dates with or without fractional seconds.
let requestDecoder: JSONDecoder = {
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .custom { decoder in
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = ISO8601.parse(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "must be an ISO-8601 date-time like 2026-01-31T12:00:00Z")
        }
        return date
    }
    return decoder
}()

enum ISO8601 {
    static func parse(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
