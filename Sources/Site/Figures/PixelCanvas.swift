import Experiments

/// A small RGB drawing surface for rasterising plots and composing image grids: filled rectangles,
/// thick lines, discs, nearest-neighbour image blits and a 3×5 pixel font. Integer maths only, so the
/// pixels (and the PNG bytes) are the same on every machine.
struct PixelCanvas {
    let width: Int
    let height: Int
    private(set) var pixels: [UInt8]

    typealias Color = (UInt8, UInt8, UInt8)

    init(width: Int, height: Int, background: Color) {
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        fill(x: 0, y: 0, width: width, height: height, color: background)
    }

    var image: RGBImage { RGBImage(width: width, height: height, pixels: pixels) }

    static func color(hex: String) -> Color {
        let digits = hex.hasPrefix("#") ? String(hex.dropFirst()) : hex
        guard digits.count == 6, let value = UInt32(digits, radix: 16) else { return (0, 0, 0) }
        return (UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff))
    }

    mutating func set(_ x: Int, _ y: Int, _ color: Color) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = (y * width + x) * 3
        pixels[i] = color.0
        pixels[i + 1] = color.1
        pixels[i + 2] = color.2
    }

    mutating func fill(x: Int, y: Int, width w: Int, height h: Int, color: Color) {
        let x0 = max(0, x), x1 = min(width, x + w), y0 = max(0, y), y1 = min(height, y + h)
        guard x0 < x1, y0 < y1 else { return }
        for yy in y0..<y1 {
            for xx in x0..<x1 { set(xx, yy, color) }
        }
    }

    mutating func disc(cx: Double, cy: Double, radius: Double, color: Color) {
        let r2 = radius * radius
        for y in Int((cy - radius).rounded(.down))...Int((cy + radius).rounded(.up)) {
            for x in Int((cx - radius).rounded(.down))...Int((cx + radius).rounded(.up)) {
                let dx = Double(x) + 0.5 - cx, dy = Double(y) + 0.5 - cy
                if dx * dx + dy * dy <= r2 { set(x, y, color) }
            }
        }
    }

    /// A line `thickness` pixels wide, drawn as overlapping discs along it.
    mutating func line(from a: (Double, Double), to b: (Double, Double), thickness: Double, color: Color) {
        let length = ((b.0 - a.0) * (b.0 - a.0) + (b.1 - a.1) * (b.1 - a.1)).squareRoot()
        let steps = max(1, Int(length * 2))
        for i in 0...steps {
            let t = Double(i) / Double(steps)
            disc(cx: a.0 + (b.0 - a.0) * t, cy: a.1 + (b.1 - a.1) * t, radius: thickness / 2, color: color)
        }
    }

    /// Copies `image` with its top-left at (x, y), each pixel as a `scale`×`scale` block (no smoothing).
    mutating func draw(_ image: RGBImage, x: Int, y: Int, scale: Int) {
        for sy in 0..<image.height * scale {
            for sx in 0..<image.width * scale {
                let i = ((sy / scale) * image.width + sx / scale) * 3
                set(x + sx, y + sy, (image.pixels[i], image.pixels[i + 1], image.pixels[i + 2]))
            }
        }
    }

    /// Text in a 3×5 pixel font (upper-case letters, digits, a little punctuation), `scale` pixels per dot.
    /// Returns the width drawn.
    @discardableResult
    mutating func text(_ string: String, x: Int, y: Int, scale: Int, color: Color) -> Int {
        var cursor = x
        for character in string.uppercased() {
            if let rows = Self.glyphs[character] {
                for (row, bits) in rows.enumerated() {
                    for (column, bit) in bits.enumerated() where bit == "1" {
                        fill(x: cursor + column * scale, y: y + row * scale, width: scale, height: scale, color: color)
                    }
                }
            }
            cursor += 4 * scale
        }
        return cursor - x
    }

    static func textWidth(_ string: String, scale: Int) -> Int { string.count * 4 * scale - scale }

    private static let glyphs: [Character: [String]] = {
        let table: [Character: String] = [
            "A": "010101111101101", "B": "110101110101110", "C": "011100100100011", "D": "110101101101110",
            "E": "111100110100111", "F": "111100110100100", "G": "011100101101011", "H": "101101111101101",
            "I": "111010010010111", "J": "001001001101010", "K": "101101110101101", "L": "100100100100111",
            "M": "101111111101101", "N": "110101101101101", "O": "010101101101010", "P": "110101110100100",
            "Q": "010101101110011", "R": "110101110101101", "S": "011100010001110", "T": "111010010010010",
            "U": "101101101101111", "V": "101101101101010", "W": "101101111111101", "X": "101101010101101",
            "Y": "101101010010010", "Z": "111001010100111",
            "0": "111101101101111", "1": "010110010010111", "2": "110001010100111", "3": "110001010001110",
            "4": "101101111001001", "5": "111100110001110", "6": "011100111101111", "7": "111001010010010",
            "8": "111101111101111", "9": "111101111001110",
            "-": "000000111000000", ".": "000000000000010", "(": "010100100100010", ")": "010001001001010",
            "×": "000101010101000", "/": "001001010100100", ":": "000010000010000", "=": "000111000111000",
            "+": "000010111010000", ",": "000000000010100", "_": "000000000000111",
        ]
        return table.mapValues { bits in stride(from: 0, to: 15, by: 3).map { start in
            String(bits[bits.index(bits.startIndex, offsetBy: start)..<bits.index(bits.startIndex, offsetBy: start + 3)])
        } }
    }()
}
