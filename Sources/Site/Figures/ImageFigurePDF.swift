import CCairo
import Experiments
import Foundation

/// An image figure (a gallery, round trips with error maps, interpolation strips, edits) as a PDF for
/// `\includegraphics`: every image embedded at its native resolution and drawn without smoothing (each pixel a
/// sharp square), with the row and column labels set in the plots' font. It fits one column of a two-column
/// paper when its pixels stay large enough there, else the text width; at most 8 in high; and never enlarges a
/// pixel beyond `maxPointsPerPixel`.
struct ImageFigurePDF {
    let figure: ImageFigure

    static let columnWidth = 3.25 * 72, textWidth = 6.75 * 72, textHeight = 8 * 72.0, maxPointsPerPixel = 3.0
    /// A figure stays within one column when its pixels can still be this big there (1.5 pt: a 32-pixel image
    /// 0.67 in wide); otherwise it spans the text width.
    static let oneColumnMinimumPointsPerPixel = 1.5
    static let labelSize = 7.0, subLabelSize = 6.0, minimumSize = 5.0
    /// Gaps in points: between the images of a cell, and between cells.
    static let inner = 2.0, outer = 6.0

    /// The labels under the column labels, naming the images of a cell: shown when every cell has the same two
    /// or three (original, reconstruction, error); galleries of many samples go without.
    var subLabels: [String]? {
        guard let first = figure.rows.first?.cells.first, (2...3).contains(first.images.count) else { return nil }
        let labels = first.images.map(\.label)
        let same = figure.rows.allSatisfy { row in row.cells.allSatisfy { $0.images.map(\.label) == labels } }
        return same ? labels : nil
    }

    struct Layout {
        var width: Double, height: Double
        var scale: Double
        var left: Double, top: Double
        var columnWidths: [Int], rowHeights: [Int]
        /// The most images in a cell of each column, less one: the inner gaps the column makes room for.
        var innerGaps: [Int]
        /// The type size of the images' labels, nil when they are left out.
        var subLabelSize: Double?
    }

    func layout(_ cr: OpaquePointer) throws -> Layout {
        let cells = figure.rows.map(\.cells)
        let columnCount = cells.map(\.count).max() ?? 0
        var columnWidths = [Int](repeating: 1, count: columnCount), rowHeights = [Int](repeating: 1, count: cells.count)
        var innerGaps = [Int](repeating: 0, count: columnCount)
        for (r, row) in cells.enumerated() {
            for (c, cell) in row.enumerated() {
                columnWidths[c] = max(columnWidths[c], cell.images.map(\.image.width).reduce(0, +))
                innerGaps[c] = max(innerGaps[c], cell.images.count - 1)
                rowHeights[r] = max(rowHeights[r], cell.images.map(\.image.height).max() ?? 1)
            }
        }
        let rowLabelWidth = try figure.rows.map { try PlotText($0.label, size: Self.labelSize).width(cr) }.max() ?? 0
        let left = rowLabelWidth > 0 ? rowLabelWidth + Self.outer : 0
        let gaps = Double(innerGaps.reduce(0, +)) * Self.inner + Double(max(0, columnCount - 1)) * Self.outer
        let pixels = Double(max(1, columnWidths.reduce(0, +)))
        let rowGaps = Double(max(0, cells.count - 1)) * Self.outer, rowPixels = Double(max(1, rowHeights.reduce(0, +)))
        let inColumn = (Self.columnWidth - left - gaps) / pixels
        var scale = min(Self.maxPointsPerPixel, inColumn >= Self.oneColumnMinimumPointsPerPixel ? inColumn : (Self.textWidth - left - gaps) / pixels)
        var subLabelSize = try fittingSubLabelSize(cr, scale: scale)
        var top = Self.labelSize + 3 + (subLabelSize.map { $0 + 2 } ?? 0)
        if top + rowPixels * scale + rowGaps > Self.textHeight {
            // Tall figures (many rows) are scaled to fit the page's height instead.
            scale = (Self.textHeight - top - rowGaps) / rowPixels
            subLabelSize = try fittingSubLabelSize(cr, scale: scale)
            top = Self.labelSize + 3 + (subLabelSize.map { $0 + 2 } ?? 0)
        }
        let width = left + pixels * scale + gaps
        let height = top + Double(rowHeights.reduce(0, +)) * scale + Double(max(0, cells.count - 1)) * Self.outer
        return Layout(width: width, height: height, scale: scale, left: left, top: top, columnWidths: columnWidths, rowHeights: rowHeights,
                      innerGaps: innerGaps, subLabelSize: subLabelSize)
    }

    /// The images' labels at `subLabelSize`, or smaller down to `minimumSize` so that each fits over its image;
    /// nil when they do not fit even then (the caption has to name them).
    func fittingSubLabelSize(_ cr: OpaquePointer, scale: Double) throws -> Double? {
        guard let subLabels, let images = figure.rows.first?.cells.first?.images else { return nil }
        var size = Self.subLabelSize
        for (label, image) in zip(subLabels, images) {
            let room = Double(image.image.width) * scale + Self.inner
            let width = try PlotText(label, size: Self.subLabelSize).width(cr)
            size = min(size, Self.subLabelSize * room / width)
        }
        return size >= Self.minimumSize ? size : nil
    }

    func draw(_ cr: OpaquePointer) throws {
        let layout = try layout(cr)
        let s = layout.scale
        cairo_set_source_rgb(cr, 0, 0, 0)
        // Column labels centred over their columns, the images' own labels under them.
        var x = layout.left
        for (c, width) in layout.columnWidths.enumerated() {
            let images = figure.rows.first.map { $0.cells.count > c ? $0.cells[c].images : [] } ?? []
            let cellWidth = Double(width) * s + Double(layout.innerGaps[c]) * Self.inner
            if c < figure.columns.count {
                try PlotText(figure.columns[c], size: Self.labelSize).draw(cr, x: x + cellWidth / 2, y: Self.labelSize, anchor: 0.5)
            }
            if let subLabels, let subLabelSize = layout.subLabelSize {
                var ix = x
                for (label, image) in zip(subLabels, images) {
                    let w = Double(image.image.width) * s
                    try PlotText(label, size: subLabelSize).draw(cr, x: ix + w / 2, y: Self.labelSize + 2 + subLabelSize, anchor: 0.5)
                    ix += w + Self.inner
                }
            }
            x += cellWidth + Self.outer
        }
        var y = layout.top
        for (r, row) in figure.rows.enumerated() {
            let rowHeight = Double(layout.rowHeights[r]) * s
            cairo_set_source_rgb(cr, 0, 0, 0)
            try PlotText(row.label, size: Self.labelSize).draw(cr, x: layout.left - Self.outer, y: y + rowHeight / 2 + Self.labelSize * 0.33, anchor: 1)
            var x = layout.left
            for (c, cell) in row.cells.enumerated() {
                var ix = x
                for labeled in cell.images {
                    try Self.paint(cr, labeled.image, x: ix, y: y, scale: s)
                    ix += Double(labeled.image.width) * s + Self.inner
                }
                x += Double(layout.columnWidths[c]) * s + Double(layout.innerGaps[c]) * Self.inner + Self.outer
            }
            y += rowHeight + Self.outer
        }
    }

    /// The image at native resolution, each pixel a `scale`-point square with no interpolation.
    static func paint(_ cr: OpaquePointer, _ image: RGBImage, x: Double, y: Double, scale: Double) throws {
        guard let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(image.width), Int32(image.height)),
              cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else {
            throw PlotError("cairo could not hold a \(image.width)×\(image.height) image")
        }
        defer { cairo_surface_destroy(surface) }
        cairo_surface_flush(surface)
        let stride = Int(cairo_image_surface_get_stride(surface)), base = cairo_image_surface_get_data(surface)!
        for row in 0..<image.height {
            let words = UnsafeMutableRawPointer(base + row * stride).assumingMemoryBound(to: UInt32.self)
            for column in 0..<image.width {
                let i = (row * image.width + column) * 3
                words[column] = UInt32(image.pixels[i]) << 16 | UInt32(image.pixels[i + 1]) << 8 | UInt32(image.pixels[i + 2])
            }
        }
        cairo_surface_mark_dirty(surface)
        cairo_save(cr)
        cairo_translate(cr, x, y)
        cairo_scale(cr, scale, scale)
        cairo_set_source_surface(cr, surface, 0, 0)
        cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST)
        cairo_rectangle(cr, 0, 0, Double(image.width), Double(image.height))
        cairo_fill(cr)
        cairo_restore(cr)
    }

    /// The layout as drawn, measured on a scratch surface.
    func measuredLayout() throws -> Layout {
        let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1)
        defer { cairo_surface_destroy(surface) }
        let scratch = cairo_create(surface)!
        defer { cairo_destroy(scratch) }
        CairoDocument.prepare(scratch)
        return try layout(scratch)
    }

    /// The PDF, a PNG of the same drawing (the preview of the PDF on the site), and the size in points.
    func render() throws -> (pdf: Data, png: Data, width: Double, height: Double) {
        let size = try measuredLayout()
        let pdf = try CairoDocument.pdf(width: size.width, height: size.height, title: figure.title) { try draw($0) }
        let png = try CairoDocument.png(width: size.width, height: size.height) { try draw($0) }
        return (pdf, png.data, size.width, size.height)
    }
}
