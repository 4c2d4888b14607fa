/// HTML that is safe to send: every string that enters it is escaped unless it comes through
/// `HTML.trusted`, the one audited path for markup the server wrote itself.
public struct HTML: Sendable, Equatable, CustomStringConvertible {
    public private(set) var rendered: String

    public static let empty = HTML(rendered: "")

    private init(rendered: String) { self.rendered = rendered }

    /// Escapes `text` for use as element content or a quoted attribute value.
    public init(escaping text: String) { rendered = HTML.escape(text) }

    /// Markup written by the server, never containing user text. Keep its uses few and literal.
    static func trusted(_ markup: StaticString) -> HTML { HTML(rendered: markup.description) }

    public var description: String { rendered }

    static func escape(_ text: String) -> String {
        // Byte by byte: the five are ASCII, and no byte of a multi-byte UTF-8 sequence is. Most text has none of them
        // and is returned as it is, without a copy.
        let utf8 = text.utf8
        guard utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count + 32)
        for byte in utf8 {
            switch byte {
            case 0x26: out.append(contentsOf: "&amp;".utf8)
            case 0x3C: out.append(contentsOf: "&lt;".utf8)
            case 0x3E: out.append(contentsOf: "&gt;".utf8)
            case 0x22: out.append(contentsOf: "&quot;".utf8)
            case 0x27: out.append(contentsOf: "&#39;".utf8)
            default: out.append(byte)
            }
        }
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
        return HTML(rendered: "<script type=\"application/ld+json\">\(safe)</script>")
    }

    /// Several elements as one, for a helper that returns a run of sections.
    static func group(@HTMLBuilder _ content: () -> HTML) -> HTML { content() }

    static func joined(_ parts: [HTML]) -> HTML {
        HTML(rendered: parts.map(\.rendered).joined())
    }

    private static let voidElements: Set<String> = ["input", "meta", "link", "br", "img", "hr"]

    static func element(_ name: String, _ attributes: [Attribute], _ content: HTML) -> HTML {
        var out = "<"
        out.reserveCapacity(content.rendered.utf8.count + 2 * name.utf8.count + 64)
        out += name
        for attribute in attributes {
            switch attribute.value {
            case .none: continue
            case .some(nil):
                out += " "
                out += attribute.name
            case .some(.some(let value)):
                out += " "
                out += attribute.name
                out += "=\""
                out += escape(value)
                out += "\""
            }
        }
        out += ">"
        if voidElements.contains(name) { return HTML(rendered: out) }
        out += content.rendered
        out += "</"
        out += name
        out += ">"
        return HTML(rendered: out)
    }
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
