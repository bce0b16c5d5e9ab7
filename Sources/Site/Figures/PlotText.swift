import CCairo
import Foundation

/// A label laid out for cairo the way LaTeX would set it: Latin text in the text font, Greek letters in math
/// italic, "10⁻³" with a real superscript (smaller, raised, a true minus), and a bar over ᾱ. cairo's text API
/// draws one font at a time with no fallback, so the label is cut into runs, each in a font that has its glyphs.
struct PlotText {
    /// Consecutive characters drawn in one font at one size and height; `overbar` puts a bar over the run.
    struct Run {
        var face: PlotFonts.Face
        var text: String
        var size: Double
        var rise: Double
        var overbar: Bool
    }

    let runs: [Run]

    /// How much smaller a superscript is, and how high its baseline sits, relative to the text size.
    static let superscriptScale = 0.7, superscriptRise = 0.42

    init(_ label: String, size: Double) throws {
        var runs: [Run] = []
        var pendingBar = false
        for scalar in label.unicodeScalars {
            if scalar == "\u{0304}" {
                // A combining macron: the bar goes over the character before it.
                if var last = runs.popLast() {
                    let lastCharacter = String(last.text.unicodeScalars.last!)
                    last.text.unicodeScalars.removeLast()
                    if !last.text.isEmpty { runs.append(last) }
                    runs.append(Run(face: last.face, text: lastCharacter, size: last.size, rise: last.rise, overbar: true))
                }
                continue
            }
            var (drawn, superscript) = Self.normalised(scalar)
            if scalar == "ᾱ" { drawn = "α"; pendingBar = true }
            let runSize = superscript ? size * Self.superscriptScale : size
            let rise = superscript ? size * Self.superscriptRise : 0
            let (face, glyph) = try Self.face(for: drawn, size: runSize, in: label)
            if !pendingBar, var last = runs.last, last.face === face, last.size == runSize, last.rise == rise, !last.overbar {
                last.text.unicodeScalars.append(glyph)
                runs[runs.count - 1] = last
            } else {
                runs.append(Run(face: face, text: String(glyph), size: runSize, rise: rise, overbar: pendingBar))
            }
            pendingBar = false
        }
        self.runs = runs
    }

    /// Unicode superscripts become the plain character set small and raised; a hyphen before a digit in a
    /// superscript is a minus sign.
    static func normalised(_ scalar: Unicode.Scalar) -> (Unicode.Scalar, superscript: Bool) {
        switch scalar {
        case "⁰": ("0", true)
        case "¹": ("1", true)
        case "²": ("2", true)
        case "³": ("3", true)
        case "⁴", "⁵", "⁶", "⁷", "⁸", "⁹": (Unicode.Scalar(scalar.value - 0x2074 + 0x34)!, true)
        case "⁻": ("\u{2212}", true)
        case "⁺": ("+", true)
        default: (scalar, false)
        }
    }

    /// The first font of the chain with the character; lowercase Greek is set in math italic, as in `$\alpha$`.
    static func face(for scalar: Unicode.Scalar, size: Double, in label: String) throws -> (PlotFonts.Face, Unicode.Scalar) {
        let chain = try PlotFonts.shared.chain(size: size)
        if (0x3B1...0x3C9).contains(scalar.value), let italic = Unicode.Scalar(scalar.value - 0x3B1 + 0x1D6FC),
           let face = chain.first(where: { $0.has(italic) }) {
            return (face, italic)
        }
        guard let face = chain.first(where: { $0.has(scalar) }) else {
            let code = String(scalar.value, radix: 16, uppercase: true)
            throw PlotError("plot label \"\(label)\": no plot font has the character U+\(code) (fonts tried: \(chain.map(\.fileName).joined(separator: ", "))); write the label without it")
        }
        return (face, scalar)
    }

    /// The advance width in points.
    func width(_ cr: OpaquePointer) -> Double {
        runs.reduce(0) { $0 + Self.extents(cr, $1).x_advance }
    }

    /// Draws with the baseline's start at (x, y); `anchor` 0 is left, 0.5 centred, 1 right-aligned.
    func draw(_ cr: OpaquePointer, x: Double, y: Double, anchor: Double = 0) {
        var cursor = x - anchor * width(cr)
        for run in runs {
            let extents = Self.extents(cr, run)
            cairo_move_to(cr, cursor, y - run.rise)
            cairo_show_text(cr, run.text)
            if run.overbar {
                let barY = y - run.rise + extents.y_bearing - run.size * 0.12, thickness = run.size * 0.045
                cairo_rectangle(cr, cursor + extents.x_bearing, barY - thickness, extents.width, thickness)
                cairo_fill(cr)
            }
            cursor += extents.x_advance
        }
    }

    private static func extents(_ cr: OpaquePointer, _ run: Run) -> cairo_text_extents_t {
        cairo_set_font_face(cr, run.face.cairoFace)
        cairo_set_font_size(cr, run.size)
        var extents = cairo_text_extents_t()
        cairo_text_extents(cr, run.text, &extents)
        return extents
    }
}
