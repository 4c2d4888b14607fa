import Foundation
import TsunagariCore

/// A JSON document as a value. Request bodies are read into it first so that every wrong type,
/// unknown field and missing field gets a precise 4xx message; responses are built from it so that
/// absent values are written as `null`, as the OpenAPI document says.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONFields)
    /// A value already written as `write(into:)` would write it: the people of a list (`Represent.summary`), whose
    /// twenty trees of eight fields were an eighth of a suggestions request to build and walk.
    case written([UInt8])

    public static func string(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
    public static func int(_ value: Int?) -> JSONValue { value.map { .number(Double($0)) } ?? .null }

    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        case .written: "a value"
        }
    }
}

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(JSONFields(try container.decode([String: JSONValue].self)))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            if value.rounded() == value, abs(value) < 1e15 { try container.encode(Int64(value)) } else { try container.encode(value) }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value.dictionary)
        case .written(let bytes): try container.encode(try JSONDecoder().decode(JSONValue.self, from: Data(bytes)))
        }
    }

    public func encoded() -> Data { Data(bytes()) }

    /// The document as UTF-8, keys sorted, slashes unescaped: what `JSONEncoder` with `.sortedKeys` and
    /// `.withoutEscapingSlashes` writes, written straight into one array. Going through `Encodable` boxed every
    /// value and was most of an API response's cost (docs/BENCHMARKS.md "Request path").
    public func bytes() -> [UInt8] {
        if case .written(let bytes) = self { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(512)
        write(into: &out)
        return out
    }

    func write(into out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case .number(let value):
            if !value.isFinite {
                out.append(contentsOf: "null".utf8)
            } else if value.rounded() == value, abs(value) < 1e15 {
                Self.write(integer: Int64(value), into: &out)
            } else {
                out.append(contentsOf: value.description.utf8)
            }
        case .string(let value): Self.write(string: value, into: &out)
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                value.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            // Already in the order of their keys.
            for index in members.indices {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.write(string: members.pairs[index].key, into: &out)
                out.append(UInt8(ascii: ":"))
                members.pairs[index].value.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .written(let bytes): out.append(contentsOf: bytes)
        }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Digits written straight into the output, without a String in between.
    static func write(integer: Int64, into out: inout [UInt8]) {
        if integer < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = integer.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[19 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            out.append(contentsOf: buffer[(20 - count)...])
        }
    }

    static func write(string: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        func escape(_ bytes: UnsafeBufferPointer<UInt8>) {
            // Runs that need no escape (nearly all text) are copied whole.
            var start = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                start = index + 1
                switch byte {
                case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
                case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
                case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
                case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
                case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
                case 0x0C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
                default:
                    out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                    out.append(hex[Int(byte >> 4)])
                    out.append(hex[Int(byte & 0x0F)])
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<bytes.count]))
        }
        // Read in place, as `HTML`'s escape does: a copy to call `withUTF8` on retained the string.
        if string.utf8.withContiguousStorageIfAvailable(escape) == nil {
            var copy = string
            copy.withUTF8(escape)
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Parses a request body; anything that is not one JSON object is a 400.
    static func parseObject(_ data: Data) throws -> JSONObject {
        guard String(data: data, encoding: .utf8) != nil else {
            throw DomainError(.malformed, code: "malformed_json", message: "The body is not valid UTF-8.")
        }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw DomainError(.malformed, code: "malformed_json", message: "The body is not valid JSON.")
        }
        guard case .object(let members) = value else {
            throw DomainError(.malformed, code: "malformed_json", message: "The body must be a JSON object.")
        }
        return JSONObject(members: members)
    }
}

/// A JSON object's members kept in the order of their keys, which is the order they are written in: a response's
/// objects are made from literals of a few members each, and a dictionary hashed every key as it was made and was
/// sorted again as it was written (6% of a list of twenty people's time, docs/BENCHMARKS.md "Request path, round 7").
/// A literal with a key twice stops the program, as a dictionary literal does.
public struct JSONFields: Sendable, Equatable, ExpressibleByDictionaryLiteral, RandomAccessCollection {
    public struct Pair: Sendable, Equatable {
        public var key: String
        public var value: JSONValue
    }

    /// Sorted by key (`String`'s `<`), each key once.
    public private(set) var pairs: [Pair]

    public init() { pairs = [] }

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        pairs = []
        pairs.reserveCapacity(elements.count)
        // Insertion: a literal has a few members.
        for (key, value) in elements {
            var index = pairs.count
            while index > 0 && key < pairs[index - 1].key { index -= 1 }
            precondition(index == 0 || pairs[index - 1].key != key, "JSON object literal with the key '\(key)' twice")
            pairs.insert(Pair(key: key, value: value), at: index)
        }
    }

    public init(_ dictionary: [String: JSONValue]) {
        pairs = dictionary.map { Pair(key: $0.key, value: $0.value) }.sorted { $0.key < $1.key }
    }

    public var dictionary: [String: JSONValue] {
        Dictionary(uniqueKeysWithValues: pairs.map { ($0.key, $0.value) })
    }

    public var keys: [String] { pairs.map(\.key) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { pairs.count }
    public subscript(position: Int) -> (key: String, value: JSONValue) { (pairs[position].key, pairs[position].value) }

    /// The first index whose key is not less than `key`.
    private func place(of key: String) -> Int {
        var (low, high) = (0, pairs.count)
        while low < high {
            let middle = (low + high) / 2
            if pairs[middle].key < key { low = middle + 1 } else { high = middle }
        }
        return low
    }

    public subscript(key: String) -> JSONValue? {
        get {
            let index = place(of: key)
            return index < pairs.count && pairs[index].key == key ? pairs[index].value : nil
        }
        set {
            let index = place(of: key)
            let present = index < pairs.count && pairs[index].key == key
            switch (newValue, present) {
            case (let value?, true): pairs[index].value = value
            case (let value?, false): pairs.insert(Pair(key: key, value: value), at: index)
            case (nil, true): pairs.remove(at: index)
            case (nil, false): break
            }
        }
    }
}

/// A request body being read field by field. Every accessor names the field in its error.
struct JSONObject {
    let members: JSONFields

    /// Rejects fields the operation does not know, so that a typo is an error instead of silently ignored.
    func allowOnly(_ keys: Set<String>) throws {
        // The keys are in order already: the first unknown one in sorted order is named.
        if let unknown = members.first(where: { !keys.contains($0.key) })?.key {
            throw DomainError(.invalid, code: "unknown_field", message: "Unknown field '\(unknown)'.")
        }
    }

    private func typeError(_ key: String, _ expected: String) -> DomainError {
        DomainError(.invalid, code: "invalid_type", message: "Field '\(key)' must be \(expected).")
    }

    func requiredString(_ key: String) throws -> String {
        guard let value = members[key], value != .null else {
            throw DomainError.invalid("required", "Field '\(key)' is required.")
        }
        guard case .string(let text) = value else { throw typeError(key, "a string") }
        return text
    }

    /// nil when absent; throws for `null` (the field cannot be cleared).
    func string(_ key: String) throws -> String? {
        guard let value = members[key] else { return nil }
        guard case .string(let text) = value else { throw typeError(key, "a string") }
        return text
    }

    /// nil when absent, `.some(nil)` for an explicit `null`.
    func nullableString(_ key: String) throws -> String?? {
        guard let value = members[key] else { return nil }
        switch value {
        case .null: return .some(nil)
        case .string(let text): return .some(text)
        default: throw typeError(key, "a string or null")
        }
    }

    func nullableInt(_ key: String) throws -> Int?? {
        guard let value = members[key] else { return nil }
        switch value {
        case .null: return .some(nil)
        case .number(let number) where number.rounded() == number && abs(number) < 1e9: return .some(Int(number))
        default: throw typeError(key, "an integer or null")
        }
    }

    func bool(_ key: String) throws -> Bool? {
        guard let value = members[key] else { return nil }
        guard case .bool(let flag) = value else { throw typeError(key, "true or false") }
        return flag
    }

    func stringArray(_ key: String, max: Int) throws -> [String]? {
        guard let value = members[key] else { return nil }
        guard case .array(let items) = value else { throw typeError(key, "an array of strings") }
        if items.count > max {
            throw DomainError.invalid("too_many", "Field '\(key)' takes at most \(max) entries.")
        }
        return try items.map {
            guard case .string(let text) = $0 else { throw typeError(key, "an array of strings") }
            return text
        }
    }

    func object(_ key: String) throws -> JSONObject? {
        guard let value = members[key] else { return nil }
        guard case .object(let inner) = value else { throw typeError(key, "an object") }
        return JSONObject(members: inner)
    }

    func enumValue<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type) throws -> E? where E.RawValue == String {
        guard let text = try string(key) else { return nil }
        guard let value = E(rawValue: text) else {
            let allowed = E.allCases.map(\.rawValue).joined(separator: ", ")
            throw DomainError.invalid("invalid_value", "Field '\(key)' must be one of: \(allowed).")
        }
        return value
    }
}
