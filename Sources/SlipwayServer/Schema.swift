import Foundation

/// A JSON Schema (the OpenAPI 3.1 dialect) for one request or response shape. Request schemas
/// are also what the server checks bodies against: a field the schema does not name is refused.
public indirect enum Schema: Sendable {
    case string(format: String? = nil, minLength: Int? = nil, maxLength: Int? = nil, pattern: String? = nil)
    case enumeration([String])
    case integer(minimum: Int? = nil, maximum: Int? = nil)
    case boolean
    case array(Schema, maxItems: Int? = nil)
    case object(properties: [String: Schema], required: [String] = [])
    case nullable(Schema)
    case reference(String)
    /// Any JSON object, for documents whose shape is not ours to describe.
    case anyObject

    public static let string = Schema.string()
    public static let dateTime = Schema.string(format: "date-time")
    public static let integer = Schema.integer()

    public static func enumeration<E: CaseIterable & RawRepresentable>(_ type: E.Type) -> Schema
    where E.RawValue == String {
        .enumeration(type.allCases.map(\.rawValue))
    }

    /// The names a request object may carry.
    public var propertyNames: Set<String> {
        if case .object(let properties, _) = self { return Set(properties.keys) }
        return []
    }

    public var json: JSONValue {
        switch self {
        case .string(let format, let minLength, let maxLength, let pattern):
            var object: [String: JSONValue] = ["type": "string"]
            if let format { object["format"] = .string(format) }
            if let minLength { object["minLength"] = .number(Double(minLength)) }
            if let maxLength { object["maxLength"] = .number(Double(maxLength)) }
            if let pattern { object["pattern"] = .string(pattern) }
            return .object(object)
        case .enumeration(let values):
            return ["type": "string", "enum": .array(values.map(JSONValue.string))]
        case .integer(let minimum, let maximum):
            var object: [String: JSONValue] = ["type": "integer"]
            if let minimum { object["minimum"] = .number(Double(minimum)) }
            if let maximum { object["maximum"] = .number(Double(maximum)) }
            return .object(object)
        case .boolean:
            return ["type": "boolean"]
        case .array(let items, let maxItems):
            var object: [String: JSONValue] = ["type": "array", "items": items.json]
            if let maxItems { object["maxItems"] = .number(Double(maxItems)) }
            return .object(object)
        case .object(let properties, let required):
            var object: [String: JSONValue] = [
                "type": "object", "properties": .object(properties.mapValues(\.json)), "additionalProperties": false,
            ]
            if !required.isEmpty { object["required"] = .array(required.sorted().map(JSONValue.string)) }
            return .object(object)
        case .nullable(let schema):
            return ["anyOf": [schema.json, ["type": "null"]]]
        case .anyObject:
            return ["type": "object"]
        case .reference(let name):
            return ["$ref": .string("#/components/schemas/\(name)")]
        }
    }
}
