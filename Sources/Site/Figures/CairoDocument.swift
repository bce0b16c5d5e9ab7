import CCairo
import Experiments
import Foundation
import Models

/// One drawing, replayed onto cairo's PDF, SVG and image surfaces: the three files of a figure come from the
/// same code, so they cannot disagree. Sizes are in points (1/72 in), as LaTeX's `\includegraphics` reads them.
enum CairoDocument {
    typealias Draw = (_ cr: OpaquePointer) throws -> Void

    /// cairo would stamp the current time into every PDF; a fixed date keeps the bytes reproducible.
    static let pdfDate = "2000-01-01T00:00:00Z"
    /// PNG pixels per point: twice the 96 px/in of a CSS pixel, for sharp plots on high-density screens.
    static let pngScale = 2 * 96.0 / 72.0

    /// A vector PDF with its fonts embedded (cairo subsets every font it draws with).
    static func pdf(width: Double, height: Double, title: String, draw: Draw) throws -> Data {
        try stream(draw) { write, closure in cairo_pdf_surface_create_for_stream(write, closure, width, height) } configure: { surface in
            cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title)
            cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "belm")
            cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, pdfDate)
            cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_MOD_DATE, pdfDate)
        }
    }

    /// An SVG with the glyphs as paths (the browser needs no fonts), sized in points.
    static func svg(width: Double, height: Double, draw: Draw) throws -> Data {
        let data = try stream(draw) { write, closure in cairo_svg_surface_create_for_stream(write, closure, width, height) } configure: { surface in
            cairo_svg_surface_restrict_to_version(surface, CAIRO_SVG_VERSION_1_1)
        }
        return Data(renumberSurfaces(String(decoding: data, as: UTF8.self)).utf8)
    }

    /// cairo names the SVG's groups after a process-wide surface counter ("surface71" on the 71st surface it
    /// made), so the same figure would differ with what was drawn before it. Renumbered by first appearance,
    /// ids and their references alike, the file depends on the figure alone.
    static func renumberSurfaces(_ svg: String) -> String {
        let pattern = try! NSRegularExpression(pattern: "(id=\"|#)surface([0-9]+)\\b")
        var numbers: [String: Int] = [:]
        var result = "", cursor = svg.startIndex
        for match in pattern.matches(in: svg, range: NSRange(svg.startIndex..., in: svg)) {
            let whole = Range(match.range, in: svg)!, prefix = svg[Range(match.range(at: 1), in: svg)!]
            let old = String(svg[Range(match.range(at: 2), in: svg)!])
            let new = numbers[old] ?? numbers.count + 1
            numbers[old] = new
            result += svg[cursor..<whole.lowerBound] + prefix + "surface\(new)"
            cursor = whole.upperBound
        }
        return result + svg[cursor...]
    }

    /// The figure rasterised at `pngScale` pixels per point on white.
    static func png(width: Double, height: Double, draw: Draw) throws -> (image: RGBImage, data: Data) {
        let pixelWidth = Int((width * pngScale).rounded(.up)), pixelHeight = Int((height * pngScale).rounded(.up))
        guard let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(pixelWidth), Int32(pixelHeight)) else {
            throw PlotError("cairo could not make a \(pixelWidth)×\(pixelHeight) image")
        }
        defer { cairo_surface_destroy(surface) }
        let cr = cairo_create(surface)!
        defer { cairo_destroy(cr) }
        cairo_set_source_rgb(cr, 1, 1, 1)
        cairo_paint(cr)
        cairo_scale(cr, pngScale, pngScale)
        try drawChecked(cr, draw)
        cairo_surface_flush(surface)
        // RGB24 keeps each pixel in a native-endian 32-bit word, 0x00RRGGBB.
        let stride = Int(cairo_image_surface_get_stride(surface))
        let base = cairo_image_surface_get_data(surface)!
        var pixels = [UInt8](repeating: 0, count: pixelWidth * pixelHeight * 3)
        for y in 0..<pixelHeight {
            let row = UnsafeRawPointer(base + y * stride).assumingMemoryBound(to: UInt32.self)
            for x in 0..<pixelWidth {
                let word = row[x], i = (y * pixelWidth + x) * 3
                pixels[i] = UInt8(word >> 16 & 0xff)
                pixels[i + 1] = UInt8(word >> 8 & 0xff)
                pixels[i + 2] = UInt8(word & 0xff)
            }
        }
        let image = RGBImage(width: pixelWidth, height: pixelHeight, pixels: pixels)
        return (image, try PNGCodec.encode(image.planar))
    }

    /// Text as outlines with unhinted metrics: the PDF, the SVG and the PNG place every glyph at the same spot.
    static func prepare(_ cr: OpaquePointer) {
        let options = cairo_font_options_create()
        cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE)
        cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF)
        cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY)
        cairo_set_font_options(cr, options)
        cairo_font_options_destroy(options)
    }

    private static func drawChecked(_ cr: OpaquePointer, _ draw: Draw) throws {
        prepare(cr)
        try draw(cr)
        let status = cairo_status(cr)
        guard status == CAIRO_STATUS_SUCCESS else { throw PlotError("cairo: \(String(cString: cairo_status_to_string(status)))") }
    }

    private final class Sink { var data = Data() }

    private static func stream(_ draw: Draw,
                               create: (cairo_write_func_t, UnsafeMutableRawPointer) -> OpaquePointer?,
                               configure: (OpaquePointer) -> Void) throws -> Data {
        let sink = Sink()
        let closure = Unmanaged.passRetained(sink)
        defer { closure.release() }
        let write: cairo_write_func_t = { closure, bytes, length in
            guard let closure, let bytes else { return CAIRO_STATUS_WRITE_ERROR }
            Unmanaged<Sink>.fromOpaque(closure).takeUnretainedValue().data.append(bytes, count: Int(length))
            return CAIRO_STATUS_SUCCESS
        }
        guard let surface = create(write, closure.toOpaque()) else { throw PlotError("cairo could not make a surface") }
        defer { cairo_surface_destroy(surface) }
        configure(surface)
        let cr = cairo_create(surface)!
        do {
            defer { cairo_destroy(cr) }
            try drawChecked(cr, draw)
        }
        cairo_surface_finish(surface)
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else { throw PlotError("cairo: \(String(cString: cairo_status_to_string(status)))") }
        return sink.data
    }
}
