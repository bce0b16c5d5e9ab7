import CCairo
import Foundation

/// A line chart against step count on a logarithmic axis (error on a logarithmic axis too, FID on a linear
/// one), drawn with cairo for a paper: sized for a column, set in the paper's font, no title (the caption
/// carries it), one style per sampler (`SamplerStyle`).
struct LogLogPlot {
    /// How the y axis is drawn: errors span decades; FID is read as a number, on a linear axis.
    enum YScale {
        case logarithmic, linear
    }

    struct Series {
        var label: String
        var style: SamplerStyle
        var points: [(x: Double, y: Double)]
    }

    /// LaTeX's common page widths: one column of a two-column paper (3.25 in) or the whole text width (6.75 in).
    enum Size {
        case oneColumn, twoColumn

        var width: Double { self == .oneColumn ? 3.25 * 72 : 6.75 * 72 }
        var height: Double { self == .oneColumn ? 2.3 * 72 : 2.6 * 72 }
    }

    var title: String
    var xLabel: String
    var yLabel: String
    var series: [Series]
    var size: Size = .oneColumn
    var yScale: YScale = .logarithmic

    /// Type sizes in points, as \scriptsize and \footnotesize of a 10 pt paper.
    static let tickSize = 7.0, labelSize = 8.0, legendSize = 7.0
    static let lineWidth = 1.0, frameWidth = 0.5, gridGray = 0.86, markerRadius = 2.1

    /// x range in log10 units, padded a little.
    var xRange: (Double, Double) {
        let xs = series.flatMap { $0.points.map { log10($0.x) } }
        guard let lo = xs.min(), let hi = xs.max() else { return (0, 1) }
        let pad = max(0.05, (hi - lo) * 0.06)
        return (lo - pad, hi + pad)
    }

    /// Whether a point can be drawn: a logarithmic axis has no room for zero or less.
    func isDrawn(_ y: Double) -> Bool { yScale == .linear ? y.isFinite : y > 0 }

    /// A value in y axis units: log10 on a logarithmic axis.
    func yAxis(_ y: Double) -> Double { yScale == .linear ? y : log10(y) }

    /// y range in axis units: whole decades on a logarithmic axis, whole ticks on a linear one.
    var yRange: (Double, Double) {
        let ys = series.flatMap { $0.points.compactMap { isDrawn($0.y) ? yAxis($0.y) : nil } }
        guard let lo = ys.min(), let hi = ys.max() else { return (0, 1) }
        guard yScale == .linear else {
            let low = floor(lo), high = ceil(hi)
            return (low, high == low ? low + 1 : high)
        }
        let step = Self.linearStep(lo, hi)
        let low = (lo / step).rounded(.down) * step, high = (hi / step).rounded(.up) * step
        return (low, high == low ? low + step : high)
    }

    /// The linear tick spacing: 1, 2 or 5 times a power of ten, giving four to ten ticks.
    static func linearStep(_ lo: Double, _ hi: Double) -> Double {
        let raw = max(hi - lo, abs(hi) * 1e-3, 1e-12) / 5
        let decade = pow(10, floor(log10(raw)))
        return [1.0, 2, 5, 10].map { $0 * decade }.first { $0 >= raw } ?? 10 * decade
    }

    /// The y range drawn: the decades plus a little room, so points on a decade are not hidden by the frame.
    var yView: (Double, Double) {
        let (low, high) = yRange, pad = (high - low) * 0.04
        return (low - pad, high + pad)
    }

    /// x ticks at the step counts measured; y ticks at each power of ten, or each linear step.
    var xTicks: [Double] { Array(Set(series.flatMap { $0.points.map(\.x) })).sorted() }
    /// In axis units. At most about six labelled decades: every k-th power of ten when the range is wide.
    var yTicks: [Double] {
        let (a, b) = yRange
        guard yScale == .logarithmic else {
            let step = Self.linearStep(a, b)
            return Array(stride(from: a, through: b + step / 2, by: step))
        }
        let every = max(1, Int((Double(Int(b) - Int(a)) / 6).rounded(.up)))
        return Array(stride(from: Int(b), through: Int(a), by: -every)).reversed().map(Double.init)
    }

    /// "10⁻⁶" on a logarithmic axis; on a linear one, the value with as many decimals as the step needs.
    func yTickLabel(_ tick: Double) -> String {
        guard yScale == .linear else { return Self.powerOfTen(Int(tick)) }
        let (a, b) = yRange
        let decimals = max(0, -Int(floor(log10(Self.linearStep(a, b)))))
        return String(format: "%.\(decimals)f", tick)
    }

    /// Where things go, in points from the top left; computed from the measured widths of the labels.
    struct Layout {
        var frame: (x: Double, y: Double, width: Double, height: Double)
        var legendColumns: Int
        /// Where each legend column starts, from the frame's left edge.
        var legendOffsets: [Double]
        var legendTop: Double
    }

    static let legendRowHeight = 9.0, legendSample = 16.0

    func layout(_ cr: OpaquePointer) throws -> Layout {
        let width = size.width, height = size.height
        let tickWidth = try yTicks.map { try PlotText(yTickLabel($0), size: Self.tickSize).width(cr) }.max() ?? 0
        let legendWidths = try series.map { try PlotText($0.label, size: Self.legendSize).width(cr) + Self.legendSample + 3 + 8 }
        let left = 2 + Self.labelSize + 4 + tickWidth + 3
        let lastTick = try xTicks.last.map { try PlotText(Self.integer($0), size: Self.tickSize).width(cr) / 2 } ?? 0
        let right = max(4, lastTick + 1)
        // The fewest legend rows that fit, then the fewest columns giving those rows (four entries as 2 × 2,
        // not 3 + 1); each column as wide as its widest entry.
        func widths(_ count: Int) -> [Double] {
            (0..<count).map { column in stride(from: column, to: series.count, by: count).map { legendWidths[$0] }.max() ?? 0 }
        }
        let fitting = (1...max(1, series.count)).filter { widths($0).reduce(0, +) - 8 <= width - left - right }
        let rows = fitting.max().map { (series.count + $0 - 1) / $0 } ?? series.count
        let columns = fitting.first { (series.count + $0 - 1) / $0 == rows } ?? 1
        let columnWidths = widths(columns)
        let offsets = columnWidths.indices.map { columnWidths[..<$0].reduce(0, +) }
        let legendTop = 3.0
        let top = legendTop + Double(rows) * Self.legendRowHeight + 4
        let bottom = 3 + Self.tickSize + 3 + Self.labelSize + 3
        return Layout(frame: (left, top, width - left - right, height - top - bottom),
                      legendColumns: columns, legendOffsets: offsets, legendTop: legendTop)
    }

    /// The layout as drawn, measured on a scratch surface.
    func measuredLayout() throws -> Layout {
        let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1)
        defer { cairo_surface_destroy(surface) }
        let cr = cairo_create(surface)!
        defer { cairo_destroy(cr) }
        CairoDocument.prepare(cr)
        return try layout(cr)
    }

    func position(x: Double, y: Double, in frame: (x: Double, y: Double, width: Double, height: Double)) -> (Double, Double) {
        let (x0, x1) = xRange
        return (frame.x + (log10(x) - x0) / (x1 - x0) * frame.width, frameY(yAxis(y), in: frame))
    }

    /// Where a value in y axis units lies in the frame.
    func frameY(_ axis: Double, in frame: (x: Double, y: Double, width: Double, height: Double)) -> Double {
        let (y0, y1) = yView
        return frame.y + (1 - (axis - y0) / (y1 - y0)) * frame.height
    }

    func draw(_ cr: OpaquePointer) throws {
        let layout = try layout(cr)
        let frame = layout.frame
        let right = frame.x + frame.width, bottom = frame.y + frame.height
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT)

        // Grid and ticks: major y ticks at the labelled decades, minor ones at 2…9 × each decade when there is room.
        let (y0, y1) = yRange
        cairo_set_line_width(cr, 0.35)
        cairo_set_source_rgb(cr, Self.gridGray, Self.gridGray, Self.gridGray)
        for tick in yTicks {
            let y = frameY(tick, in: frame)
            line(cr, (frame.x, y), (right, y))
        }
        for tick in xTicks {
            let x = position(x: tick, y: 1, in: frame).0
            line(cr, (x, frame.y), (x, bottom))
        }
        cairo_stroke(cr)
        cairo_set_source_rgb(cr, 0, 0, 0)
        cairo_set_line_width(cr, Self.frameWidth)
        for tick in yTicks {
            let y = frameY(tick, in: frame)
            line(cr, (frame.x, y), (frame.x + 3, y))
            line(cr, (right, y), (right - 3, y))
        }
        if yScale == .logarithmic && y1 - y0 <= 6 {
            for decade in Int(y0)..<Int(y1) {
                for m in 2...9 {
                    let y = position(x: 1, y: Double(m) * pow(10, Double(decade)), in: frame).1
                    line(cr, (frame.x, y), (frame.x + 1.5, y))
                    line(cr, (right, y), (right - 1.5, y))
                }
            }
        }
        for tick in xTicks {
            let x = position(x: tick, y: 1, in: frame).0
            line(cr, (x, bottom), (x, bottom - 3))
            line(cr, (x, frame.y), (x, frame.y + 3))
        }
        cairo_rectangle(cr, frame.x, frame.y, frame.width, frame.height)
        cairo_stroke(cr)

        // Tick labels: every power of ten; step counts left out where they would overlap the previous one.
        for tick in yTicks {
            let y = frameY(tick, in: frame)
            try PlotText(yTickLabel(tick), size: Self.tickSize).draw(cr, x: frame.x - 3, y: y + Self.tickSize * 0.33, anchor: 1)
        }
        var lastEnd = -Double.infinity
        for tick in xTicks {
            let x = position(x: tick, y: 1, in: frame).0
            let label = try PlotText(Self.integer(tick), size: Self.tickSize)
            let half = label.width(cr) / 2
            guard x - half > lastEnd + 2 else { continue }
            label.draw(cr, x: x, y: bottom + 3 + Self.tickSize * 0.75, anchor: 0.5)
            lastEnd = x + half
        }
        try PlotText(xLabel, size: Self.labelSize).draw(cr, x: frame.x + frame.width / 2, y: size.height - 3, anchor: 0.5)
        cairo_save(cr)
        cairo_translate(cr, 2 + Self.labelSize * 0.75, frame.y + frame.height / 2)
        cairo_rotate(cr, -Double.pi / 2)
        try PlotText(yLabel, size: Self.labelSize).draw(cr, x: 0, y: 0, anchor: 0.5)
        cairo_restore(cr)

        // The data (inside the frame by construction of the ranges); markers on top of the lines.
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND)
        for line in series {
            let points = line.points.filter { isDrawn($0.y) }.map { position(x: $0.x, y: $0.y, in: frame) }
            guard points.count > 1 else { continue }
            line.style.stroke(cr, points, width: Self.lineWidth)
        }
        for line in series {
            for point in line.points where isDrawn(point.y) {
                line.style.mark(cr, at: position(x: point.x, y: point.y, in: frame), radius: Self.markerRadius)
            }
        }

        // The legend above the frame, in as many columns as fit.
        for (index, line) in series.enumerated() {
            let column = index % layout.legendColumns, row = index / layout.legendColumns
            let x = frame.x + layout.legendOffsets[column]
            let y = layout.legendTop + (Double(row) + 0.5) * Self.legendRowHeight
            line.style.stroke(cr, [(x, y), (x + Self.legendSample, y)], width: Self.lineWidth)
            line.style.mark(cr, at: (x + Self.legendSample / 2, y), radius: Self.markerRadius)
            cairo_set_source_rgb(cr, 0, 0, 0)
            try PlotText(line.label, size: Self.legendSize).draw(cr, x: x + Self.legendSample + 3, y: y + Self.legendSize * 0.33)
        }
    }

    private func line(_ cr: OpaquePointer, _ a: (Double, Double), _ b: (Double, Double)) {
        cairo_move_to(cr, a.0, a.1)
        cairo_line_to(cr, b.0, b.1)
    }

    func pdf() throws -> Data {
        try CairoDocument.pdf(width: size.width, height: size.height, title: title) { try draw($0) }
    }

    /// The figure's three files: PDF for the paper, SVG for the site, PNG for slides and screens.
    func render() throws -> (pdf: Data, svg: Data, png: Data) {
        let width = size.width, height = size.height
        let pdf = try pdf()
        let svg = try CairoDocument.svg(width: width, height: height) { cr in
            // The site may show it on a dark page: the SVG carries its own white paper.
            cairo_set_source_rgb(cr, 1, 1, 1)
            cairo_paint(cr)
            try draw(cr)
        }
        let png = try CairoDocument.png(width: width, height: height) { try draw($0) }
        return (pdf, svg, png.data)
    }

    static func integer(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%g", value)
    }

    /// "10⁻⁶" with Unicode superscripts: `PlotText` sets them as a real superscript with a minus sign.
    static func powerOfTen(_ exponent: Int) -> String {
        let superscripts: [Character: Character] = ["0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹", "-": "⁻"]
        return "10" + String(String(exponent).map { superscripts[$0]! })
    }
}
