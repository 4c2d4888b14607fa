/// HTML that is safe to send: every string that enters it is escaped unless it comes through
/// `HTML.trusted`, the one audited path for markup the server wrote itself.
///
/// A page is built as a tree and written out once, into one buffer (`bytes`): building it as nested strings copied
/// each element's content into its parent's, and a page of posts spent a third of its time there
/// (docs/BENCHMARKS.md "Request path, round 4"). Text is escaped as it is written.
public struct HTML: Sendable, Equatable, CustomStringConvertible {
    fileprivate indirect enum Node: Sendable {
        case empty
        /// Text, escaped when written.
        case text(String)
        /// Markup the server wrote, written as it is.
        case markup(String)
        case element(name: String, attributes: [Attribute], content: HTML)
        case group([HTML])
        /// Written by `HTMLWriter`: its literal markup and escaped text, as bytes.
        case written([UInt8])
    }

    fileprivate let node: Node

    public static let empty = HTML(node: .empty)

    fileprivate init(node: Node) { self.node = node }

    /// Escapes `text` for use as element content or a quoted attribute value.
    public init(escaping text: String) { node = .text(text) }

    /// Markup written by the server, never containing user text. Keep its uses few and literal.
    static func trusted(_ markup: StaticString) -> HTML { HTML(node: .markup(markup.description)) }

    /// The page as UTF-8, written in one pass; what `HTMLWriter` wrote, as it is.
    public var bytes: [UInt8] {
        if case .written(let bytes) = node { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(16_384)
        write(into: &out)
        return out
    }

    public var rendered: String { String(decoding: bytes, as: UTF8.self) }

    public var description: String { rendered }

    public static func == (a: HTML, b: HTML) -> Bool { a.bytes == b.bytes }

    func write(into out: inout [UInt8]) {
        switch node {
        case .empty: break
        case .text(let text): Self.writeEscaped(text, into: &out)
        case .markup(let markup): out.append(contentsOf: markup.utf8)
        case .group(let parts): for part in parts { part.write(into: &out) }
        case .written(let bytes): out.append(contentsOf: bytes)
        case .element(let name, let attributes, let content):
            out.append(UInt8(ascii: "<"))
            out.append(contentsOf: name.utf8)
            for attribute in attributes {
                switch attribute.value {
                case .none: continue
                case .some(nil):
                    out.append(UInt8(ascii: " "))
                    out.append(contentsOf: attribute.name.utf8)
                case .some(.some(let value)):
                    out.append(UInt8(ascii: " "))
                    out.append(contentsOf: attribute.name.utf8)
                    out.append(UInt8(ascii: "="))
                    out.append(UInt8(ascii: "\""))
                    Self.writeEscaped(value, into: &out)
                    out.append(UInt8(ascii: "\""))
                }
            }
            out.append(UInt8(ascii: ">"))
            if Self.isVoid(name) { return }
            content.write(into: &out)
            out.append(UInt8(ascii: "<"))
            out.append(UInt8(ascii: "/"))
            out.append(contentsOf: name.utf8)
            out.append(UInt8(ascii: ">"))
        }
    }

    /// Byte by byte: the five are ASCII, and no byte of a multi-byte UTF-8 sequence is. Runs without them are copied
    /// whole.
    fileprivate static func writeEscaped(_ text: String, into out: inout [UInt8]) {
        func escape(_ bytes: UnsafeBufferPointer<UInt8>) {
            var start = 0
            for index in 0..<bytes.count {
                let entity: StaticString
                switch bytes[index] {
                case 0x26: entity = "&amp;"
                case 0x3C: entity = "&lt;"
                case 0x3E: entity = "&gt;"
                case 0x22: entity = "&quot;"
                case 0x27: entity = "&#39;"
                default: continue
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                entity.withUTF8Buffer { out.append(contentsOf: $0) }
                start = index + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<bytes.count]))
        }
        // Read in place: a copy to call `withUTF8` on retained and released the string, which the cache shares
        // between requests on both cores.
        if text.utf8.withContiguousStorageIfAvailable(escape) == nil {
            var copy = text
            copy.withUTF8(escape)
        }
    }

    /// `text` escaped as a String (for XML written by hand); returned as it is when it holds none of the five.
    static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else { return text }
        var out: [UInt8] = []
        writeEscaped(text, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// A `<script type="application/ld+json">` holding `json` (JSON the server encoded). Inside a script element
    /// entities are not decoded, so instead of escaping, every `<`, `>` and `&` is written as a JSON escape: no text
    /// can close the element.
    static func jsonLD(_ json: String) -> HTML {
        var safe = ""
        safe.reserveCapacity(json.utf8.count)
        for scalar in json.unicodeScalars {
            switch scalar {
            case "<": safe += "\\u003c"
            case ">": safe += "\\u003e"
            case "&": safe += "\\u0026"
            case "\u{2028}": safe += "\\u2028"
            case "\u{2029}": safe += "\\u2029"
            default: safe.unicodeScalars.append(scalar)
            }
        }
        return HTML(node: .markup("<script type=\"application/ld+json\">\(safe)</script>"))
    }

    /// Several elements as one, for a helper that returns a run of sections.
    static func group(@HTMLBuilder _ content: () -> HTML) -> HTML { content() }

    static func joined(_ parts: [HTML]) -> HTML {
        switch parts.count {
        case 0: .empty
        case 1: parts[0]
        default: HTML(node: .group(parts))
        }
    }

    /// Elements without content or end tag. Compared rather than looked up in a set: hashing each element's name was a
    /// seventh of writing a page.
    private static func isVoid(_ name: String) -> Bool {
        switch name {
        case "input", "meta", "link", "br", "img", "hr": true
        default: false
        }
    }

    static func element(_ name: String, _ attributes: [Attribute], _ content: HTML) -> HTML {
        HTML(node: .element(name: name, attributes: attributes, content: content))
    }
}

/// A part of a page written straight into bytes, for what a page repeats many times (a person in a list): building
/// each as a tree of elements and strings, walking the tree and freeing it cost more than the writing
/// (docs/BENCHMARKS.md "Request path, round 14"). The rule of `HTML` holds: markup comes only from literals, and every
/// string is escaped.
struct HTMLWriter {
    private var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    /// Markup the server wrote, as it is.
    mutating func markup(_ markup: StaticString) { markup.withUTF8Buffer { bytes.append(contentsOf: $0) } }

    /// Text, escaped for element content or a quoted attribute value.
    mutating func text(_ text: String) { HTML.writeEscaped(text, into: &bytes) }

    mutating func html(_ html: HTML) { html.write(into: &bytes) }

    /// `<name class="…">text</name>`, the element most written.
    mutating func element(_ name: StaticString, class className: StaticString, text: String) {
        markup("<")
        markup(name)
        markup(" class=\"")
        markup(className)
        markup("\">")
        self.text(text)
        markup("</")
        markup(name)
        markup(">")
    }

    /// What was written, to place in a page.
    var written: HTML { HTML(node: .written(bytes)) }
}

/// An attribute; its value is escaped. `value == .some(nil)` writes a bare flag such as `required`;
/// `value == nil` leaves the attribute out.
public struct Attribute: Sendable {
    let name: String
    let value: String??

    public init(_ name: String, _ value: String?) {
        self.name = name
        self.value = value.map { .some($0) }
    }

    private init(flag name: String, on: Bool) {
        self.name = name
        self.value = on ? .some(nil) : nil
    }

    public static func flag(_ name: String, _ on: Bool = true) -> Attribute { Attribute(flag: name, on: on) }
    public static func `class`(_ value: String) -> Attribute { Attribute("class", value) }
    public static func id(_ value: String) -> Attribute { Attribute("id", value) }
    public static func href(_ value: String) -> Attribute { Attribute("href", value) }
    public static func name(_ value: String) -> Attribute { Attribute("name", value) }
    public static func type(_ value: String) -> Attribute { Attribute("type", value) }
    public static func value(_ value: String?) -> Attribute { Attribute("value", value ?? "") }
}

@resultBuilder
public enum HTMLBuilder {
    public static func buildExpression(_ html: HTML) -> HTML { html }
    /// Plain strings are text, and text is escaped.
    public static func buildExpression(_ text: String) -> HTML { HTML(escaping: text) }
    public static func buildBlock(_ parts: HTML...) -> HTML { HTML.joined(parts) }
    public static func buildOptional(_ part: HTML?) -> HTML { part ?? .empty }
    public static func buildEither(first: HTML) -> HTML { first }
    public static func buildEither(second: HTML) -> HTML { second }
    public static func buildArray(_ parts: [HTML]) -> HTML { HTML.joined(parts) }
}

public func el(_ name: String, _ attributes: Attribute..., @HTMLBuilder content: () -> HTML = { .empty }) -> HTML {
    HTML.element(name, attributes, content())
}

public func el(_ name: String, _ attributes: [Attribute], @HTMLBuilder content: () -> HTML = { .empty }) -> HTML {
    HTML.element(name, attributes, content())
}
