import Foundation
import Logging

/// Logs as JSON lines (`TSUNAGARI_LOG_FORMAT=json`): one object per line on standard error, with `time` (ISO 8601,
/// UTC, milliseconds), `level`, `label`, `message`, `source`, and every metadata value as a field of its own — the shape
/// log collectors (Loki, Elasticsearch, CloudWatch) read without a parser of their own. A metadata key that would
/// overwrite one of those five fields is written as `meta.<key>`.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String
    let write: @Sendable (String) -> Void

    public init(label: String, write: @escaping @Sendable (String) -> Void = JSONLogHandler.standardError) {
        self.label = label
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    static let reserved: Set<String> = ["time", "level", "label", "message", "source"]

    public func log(event: LogEvent) {
        var metadata = event.metadata
        if let error = event.error { metadata = (metadata ?? [:]).merging(["error": .string("\(error)")]) { _, new in new } }
        emit(level: event.level, message: event.message, metadata: metadata, source: event.source)
    }

    public func log(
        level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String, file: String, function: String,
        line: UInt
    ) {
        emit(level: level, message: message, metadata: explicit, source: source)
    }

    func emit(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String) {
        var line = "{\"time\":\"\(Self.timestamp(Date()))\",\"level\":\"\(level.rawValue)\",\"label\":"
        Self.appendString(label, to: &line)
        line += ",\"message\":"
        Self.appendString(message.description, to: &line)
        line += ",\"source\":"
        Self.appendString(source, to: &line)
        var all = metadata
        if let explicit { all.merge(explicit) { _, new in new } }
        for key in all.keys.sorted() {
            line += ","
            Self.appendString(Self.reserved.contains(key) ? "meta.\(key)" : key, to: &line)
            line += ":"
            Self.append(all[key]!, to: &line)
        }
        line += "}\n"
        write(line)
    }

    /// Writes a whole line at once, so that lines from many threads never interleave.
    public static let standardError: @Sendable (String) -> Void = { line in
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }

    static func append(_ value: Logger.Metadata.Value, to line: inout String) {
        switch value {
        case .string(let text): appendString(text, to: &line)
        case .stringConvertible(let convertible): appendString(convertible.description, to: &line)
        case .array(let values):
            line += "["
            for (index, element) in values.enumerated() {
                if index > 0 { line += "," }
                append(element, to: &line)
            }
            line += "]"
        case .dictionary(let values):
            line += "{"
            for (index, key) in values.keys.sorted().enumerated() {
                if index > 0 { line += "," }
                appendString(key, to: &line)
                line += ":"
                append(values[key]!, to: &line)
            }
            line += "}"
        }
    }

    /// `text` as a JSON string: quotes, backslashes and control characters escaped, everything else as it is (UTF-8).
    static func appendString(_ text: String, to line: inout String) {
        line += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": line += "\\\""
            case "\\": line += "\\\\"
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029:
                line += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: line.unicodeScalars.append(scalar)
            }
        }
        line += "\""
    }

    /// `2026-12-03T06:49:13.123Z`.
    static func timestamp(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        let millis = Int((date.timeIntervalSince1970 - Double(seconds)) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let ms = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(ms)Z"
    }
}
