import Experiments

/// How a sampler looks in every plot: an Okabe–Ito colour (distinguishable with the common colour-vision
/// deficiencies), a marker and a dash pattern, so a figure still reads when printed in black and white.
/// The style follows the sampler's name, never its position in a figure, so a sampler looks the same everywhere.
struct SamplerStyle: Equatable {
    enum Marker: Equatable, CaseIterable { case circle, square, triangle, diamond, invertedTriangle, cross }

    /// sRGB, 0...1.
    var color: (red: Double, green: Double, blue: Double)
    var marker: Marker
    /// Dash lengths in points; empty for a solid line.
    var dashes: [Double]

    static func == (a: SamplerStyle, b: SamplerStyle) -> Bool {
        a.color == b.color && a.marker == b.marker && a.dashes == b.dashes
    }

    /// The Okabe–Ito palette (Okabe & Ito 2008), without its yellow, which is too light on white.
    static let vermillion = hex(0xD55E00), orange = hex(0xE69F00), bluishGreen = hex(0x009E73), blue = hex(0x0072B2)
    static let reddishPurple = hex(0xCC79A7), skyBlue = hex(0x56B4E9), black = hex(0x000000)

    static func hex(_ value: UInt32) -> (red: Double, green: Double, blue: Double) {
        (Double(value >> 16 & 0xff) / 255, Double(value >> 8 & 0xff) / 255, Double(value & 0xff) / 255)
    }

    static func of(_ sampler: String) -> SamplerStyle {
        switch SamplerChoice(rawValue: sampler) {
        case .ddim: return SamplerStyle(color: vermillion, marker: .circle, dashes: [3, 1.5])
        case .edict: return SamplerStyle(color: orange, marker: .square, dashes: [4, 1.2, 1, 1.2])
        case .bdia: return SamplerStyle(color: bluishGreen, marker: .triangle, dashes: [1, 1.2])
        case .belm: return SamplerStyle(color: blue, marker: .diamond, dashes: [])
        case nil:
            // Samplers belm does not know: one of the remaining styles, chosen by a stable hash of the name.
            let others = [SamplerStyle(color: reddishPurple, marker: .invertedTriangle, dashes: [5, 2]),
                          SamplerStyle(color: skyBlue, marker: .cross, dashes: [2, 2]),
                          SamplerStyle(color: black, marker: .circle, dashes: [6, 1.5, 1, 1.5, 1, 1.5])]
            let hash = sampler.unicodeScalars.reduce(UInt32(2166136261)) { ($0 ^ $1.value) &* 16777619 }
            return others[Int(hash % UInt32(others.count))]
        }
    }
}
