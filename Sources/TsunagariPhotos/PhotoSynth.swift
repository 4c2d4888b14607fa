import Foundation

/// Pictures made from a seed, with no file: avatars for sample members and photographs
/// for tests and the benchmark. The same seed gives the same picture.
public enum PhotoSynth {
    /// A monogram avatar: a diagonal two-tone gradient, a deeper disc, and up to three
    /// initials in white: `initials` may be a name ("Émi Kato" gives EK). A–Z and 0–9 are
    /// drawn; accents are dropped and other characters skipped.
    public static func portrait(seed: UInt64, initials: String, size: Int = 600, quality: Int = 90)
        throws(PhotoError) -> [UInt8]
    {
        try portraitRaster(seed: seed, initials: initials, size: size).encoded(as: .jpeg(quality: quality))
    }

    /// The pixels of `portrait`.
    public static func portraitRaster(seed: UInt64, initials: String, size: Int = 600) -> Raster {
        let size = min(4096, max(16, size))
        var random = SplitMix64(seed: seed)
        let hue = random.unit() * 360
        let from = hsl(hue, 0.55, 0.58), to = hsl(hue + 35, 0.60, 0.38)
        // A deeper shade of the background for the disc, so white initials stand out.
        let disc = hsl(hue + 20, 0.50, 0.26)
        let centre = Double(size) / 2, radius = Double(size) * 0.36

        let glyphs = Glyphs.render(initials)
        // Letters fill about half the disc's width; one cell of space between letters.
        let columns = glyphs.isEmpty ? 1 : glyphs.count * 6 - 1
        let cell = min(Double(size) * 0.055, Double(size) * 0.48 / Double(columns))
        let textLeft = centre - cell * Double(columns) / 2, textTop = centre - cell * 3.5

        var pixels = [UInt8](repeating: 0, count: size * size * 3)
        for y in 0..<size {
            for x in 0..<size {
                let t = (Double(x) + Double(y)) / Double(2 * size - 2)
                var colour = mix(from, to, t)
                // The disc, with a one-pixel soft edge.
                let distance = ((Double(x) - centre) * (Double(x) - centre) + (Double(y) - centre) * (Double(y) - centre)).squareRoot()
                let inDisc = min(1, max(0, radius - distance + 0.5))
                colour = mix(colour, mix(colour, disc, 0.55), inDisc)
                // Initials, anti-aliased by sampling each pixel four times a side.
                if !glyphs.isEmpty {
                    let ink = Glyphs.coverage(glyphs, x: Double(x), y: Double(y), left: textLeft, top: textTop, cell: cell)
                    if ink > 0 { colour = mix(colour, (1, 1, 1), ink) }
                }
                let index = (y * size + x) * 3
                pixels[index] = byte(colour.0)
                pixels[index + 1] = byte(colour.1)
                pixels[index + 2] = byte(colour.2)
            }
        }
        return Raster(width: size, height: size, bands: 3, pixels: pixels)
    }

    /// A landscape-like photograph: a sky gradient with a sun, hills, textured ground, and
    /// sensor-like noise, so JPEG coding costs about what a phone photo costs. The default
    /// is 12 megapixels (4000×3000), the common phone size; at quality 92 it is 2–4 MB.
    public static func photograph(width: Int = 4000, height: Int = 3000, seed: UInt64 = 1, quality: Int = 92)
        throws(PhotoError) -> [UInt8]
    {
        try photographRaster(width: width, height: height, seed: seed).encoded(as: .jpeg(quality: quality))
    }

    /// The pixels of `photograph`.
    public static func photographRaster(width: Int, height: Int, seed: UInt64 = 1) -> Raster {
        let width = min(20_000, max(1, width)), height = min(20_000, max(1, height))
        var random = SplitMix64(seed: seed)
        let w = Double(width), h = Double(height)
        // The horizon, per column: two slow waves around 60 % of the height.
        let phase1 = random.unit() * 6.28, phase2 = random.unit() * 6.28
        let horizon = (0..<width).map { x -> Double in
            let u = Double(x) / w
            return h * (0.6 + 0.06 * sin(u * 5.1 + phase1) + 0.025 * sin(u * 17.3 + phase2))
        }
        let sunX = w * (0.2 + 0.6 * random.unit()), sunY = h * (0.15 + 0.2 * random.unit()), sunR = h * 0.07
        let skyTop = (0.16, 0.36, 0.70), skyLow = (0.78, 0.86, 0.93)
        let grassNear = (0.20, 0.34, 0.12), grassFar = (0.42, 0.55, 0.30)
        var noise = XorShift(seed: seed &+ 0x9E37_79B9)

        let pixels = [UInt8](unsafeUninitializedCapacity: width * height * 3) { buffer, count in
            for y in 0..<height {
                let fy = Double(y)
                for x in 0..<width {
                    let line = horizon[x]
                    var colour: (Double, Double, Double)
                    if fy < line {
                        colour = mix(skyTop, skyLow, fy / line)
                        let dx = Double(x) - sunX, dy = fy - sunY
                        let d = (dx * dx + dy * dy).squareRoot()
                        let glow = max(0, 1 - d / (sunR * 4))
                        colour = mix(colour, (1, 0.97, 0.85), d < sunR ? 1 : glow * glow * 0.6)
                    } else {
                        let depth = (fy - line) / max(1, h - line)
                        colour = mix(grassFar, grassNear, depth)
                        // Furrows: a stripe pattern that tightens towards the horizon.
                        let stripe = sin(Double(x) * 0.02 + (fy - line) * 0.35 / (0.2 + (1 - depth)))
                        colour = mix(colour, (0.30, 0.24, 0.14), 0.12 + 0.08 * stripe)
                    }
                    let index = (y * width + x) * 3
                    let grain = noise.signedByte(amplitude: 5)
                    buffer[index] = byte(colour.0, plus: grain)
                    buffer[index + 1] = byte(colour.1, plus: noise.signedByte(amplitude: 5))
                    buffer[index + 2] = byte(colour.2, plus: noise.signedByte(amplitude: 5))
                }
            }
            count = width * height * 3
        }
        return Raster(width: width, height: height, bands: 3, pixels: pixels)
    }

    // MARK: Colour helpers

    typealias RGB = (Double, Double, Double)

    static func mix(_ a: RGB, _ b: RGB, _ t: Double) -> RGB {
        let t = min(1, max(0, t))
        return (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t, a.2 + (b.2 - a.2) * t)
    }

    static func byte(_ value: Double, plus offset: Int = 0) -> UInt8 {
        UInt8(min(255, max(0, Int((value * 255).rounded()) + offset)))
    }

    /// Hue in degrees, saturation and lightness in 0…1.
    static func hsl(_ hue: Double, _ saturation: Double, _ lightness: Double) -> RGB {
        let h = (hue.truncatingRemainder(dividingBy: 360) + 360).truncatingRemainder(dividingBy: 360) / 60
        let chroma = (1 - abs(2 * lightness - 1)) * saturation
        let second = chroma * (1 - abs(h.truncatingRemainder(dividingBy: 2) - 1))
        let m = lightness - chroma / 2
        let (r, g, b): RGB = switch Int(h) {
        case 0: (chroma, second, 0)
        case 1: (second, chroma, 0)
        case 2: (0, chroma, second)
        case 3: (0, second, chroma)
        case 4: (second, 0, chroma)
        default: (chroma, 0, second)
        }
        return (r + m, g + m, b + m)
    }
}

/// SplitMix64: a tiny, good-enough generator for picking colours from a seed.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E4B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

/// xorshift32: the per-pixel noise, fast because it runs twelve million times a picture.
struct XorShift {
    private var state: UInt32

    init(seed: UInt64) { state = UInt32(truncatingIfNeeded: seed) | 1 }

    mutating func signedByte(amplitude: Int) -> Int {
        state ^= state << 13
        state ^= state >> 17
        state ^= state << 5
        return Int(state % UInt32(2 * amplitude + 1)) - amplitude
    }
}

/// A 5×7 pixel font for initials, drawn large.
enum Glyphs {
    typealias Glyph = [[Bool]]

    /// The glyphs for up to three letters or digits: the first of each word of `text` when
    /// it has several ("Emi Kato" is EK), else its own first characters ("EK").
    static func render(_ text: String) -> [Glyph] {
        let folded = text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).uppercased()
        let words = folded.split(whereSeparator: \.isWhitespace)
        let letters = words.count > 1 ? words.compactMap { $0.first(where: { font[$0] != nil }) } : Array(folded)
        return Array(letters.compactMap { character in font[character].map(parse) }.prefix(3))
    }

    /// How much of the pixel at (x, y) the text covers, 0…1.
    static func coverage(_ glyphs: [Glyph], x: Double, y: Double, left: Double, top: Double, cell: Double) -> Double {
        let columns = glyphs.count * 6 - 1
        guard x + 1 > left, y + 1 > top, x < left + cell * Double(columns), y < top + cell * 7 else { return 0 }
        var covered = 0
        for sy in 0..<4 {
            for sx in 0..<4 {
                let column = Int(((x + (Double(sx) + 0.5) / 4) - left) / cell)
                let row = Int(((y + (Double(sy) + 0.5) / 4) - top) / cell)
                guard column >= 0, row >= 0, row < 7, column < columns, column % 6 != 5 else { continue }
                if glyphs[column / 6][row][column % 6] { covered += 1 }
            }
        }
        return Double(covered) / 16
    }

    static func parse(_ rows: [String]) -> Glyph {
        rows.map { row in row.map { $0 == "#" } }
    }

    static let font: [Character: [String]] = [
        "A": [".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"],
        "B": ["####.", "#...#", "#...#", "####.", "#...#", "#...#", "####."],
        "C": [".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."],
        "D": ["####.", "#...#", "#...#", "#...#", "#...#", "#...#", "####."],
        "E": ["#####", "#....", "#....", "####.", "#....", "#....", "#####"],
        "F": ["#####", "#....", "#....", "####.", "#....", "#....", "#...."],
        "G": [".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".####"],
        "H": ["#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"],
        "I": [".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."],
        "J": ["..###", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##.."],
        "K": ["#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#"],
        "L": ["#....", "#....", "#....", "#....", "#....", "#....", "#####"],
        "M": ["#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"],
        "N": ["#...#", "#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#"],
        "O": [".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."],
        "P": ["####.", "#...#", "#...#", "####.", "#....", "#....", "#...."],
        "Q": [".###.", "#...#", "#...#", "#...#", "#.#.#", "#..#.", ".##.#"],
        "R": ["####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"],
        "S": [".####", "#....", "#....", ".###.", "....#", "....#", "####."],
        "T": ["#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."],
        "U": ["#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."],
        "V": ["#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#.."],
        "W": ["#...#", "#...#", "#...#", "#.#.#", "#.#.#", "#.#.#", ".#.#."],
        "X": ["#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#"],
        "Y": ["#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#.."],
        "Z": ["#####", "....#", "...#.", "..#..", ".#...", "#....", "#####"],
        "0": [".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."],
        "1": ["..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."],
        "2": [".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"],
        "3": ["#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."],
        "4": ["...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."],
        "5": ["#####", "#....", "####.", "....#", "....#", "#...#", ".###."],
        "6": ["..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."],
        "7": ["#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."],
        "8": [".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."],
        "9": [".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."],
    ]
}
