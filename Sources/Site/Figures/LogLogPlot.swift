import Foundation

/// A line chart with logarithmic axes (error against step count), drawn as SVG by hand and, for the PNG
/// copy, rasterised by `PlotRaster`. Coordinates are computed once here so both agree.
struct LogLogPlot {
    struct Series {
        var label: String
        /// CSS colour, also parsed by the rasteriser (#rrggbb).
        var color: String
        var points: [(x: Double, y: Double)]
    }

    var title: String
    var xLabel: String
    var yLabel: String
    var series: [Series]

    static let width = 620.0, height = 360.0
    static let left = 70.0, right = 200.0, top = 34.0, bottom = 48.0

    /// Axis range in log10 units, padded to whole decades on y and a little on x.
    var xRange: (Double, Double) {
        let xs = series.flatMap { $0.points.map { log10($0.x) } }
        guard let lo = xs.min(), let hi = xs.max() else { return (0, 1) }
        let pad = max(0.05, (hi - lo) * 0.06)
        return (lo - pad, hi + pad)
    }

    var yRange: (Double, Double) {
        let ys = series.flatMap { $0.points.compactMap { $0.y > 0 ? log10($0.y) : nil } }
        guard let lo = ys.min(), let hi = ys.max() else { return (0, 1) }
        let low = floor(lo), high = ceil(hi)
        return (low, high == low ? low + 1 : high)
    }

    func position(x: Double, y: Double) -> (Double, Double) {
        let (x0, x1) = xRange, (y0, y1) = yRange
        let plotWidth = Self.width - Self.left - Self.right, plotHeight = Self.height - Self.top - Self.bottom
        let px = Self.left + (log10(x) - x0) / (x1 - x0) * plotWidth
        let py = Self.top + (1 - (log10(y) - y0) / (y1 - y0)) * plotHeight
        return (px, py)
    }

    /// x ticks at the step counts measured; y ticks at each power of ten.
    var xTicks: [Double] { Array(Set(series.flatMap { $0.points.map(\.x) })).sorted() }
    /// At most about eight labelled decades: every k-th power of ten when the range is wide.
    var yTicks: [Int] {
        let (a, b) = yRange
        let every = max(1, Int((Double(Int(b) - Int(a)) / 8).rounded(.up)))
        return Array(stride(from: Int(b), through: Int(a), by: -every)).reversed()
    }

    func svg() -> String {
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        let plotRight = Self.width - Self.right, plotBottom = Self.height - Self.bottom
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot\" viewBox=\"0 0 \(Int(Self.width)) \(Int(Self.height))\" width=\"\(Int(Self.width))\" height=\"\(Int(Self.height))\" role=\"img\" aria-label=\"\(HTMLText.escape(title))\">\n"
        s += "<style>.plot text{font:12px system-ui,sans-serif;fill:var(--plot-fg,#222)}.plot .frame{fill:none;stroke:var(--plot-fg,#222)}.plot .grid{stroke:var(--plot-grid,#ddd);stroke-width:1}.plot .bg{fill:var(--plot-bg,#fff)}</style>\n"
        s += "<rect class=\"bg\" width=\"100%\" height=\"100%\"/>\n"
        s += "<text x=\"\(f(Self.left))\" y=\"20\" style=\"font-weight:600\">\(HTMLText.escape(title))</text>\n"
        for tick in yTicks {
            let (_, y) = position(x: pow(10, xRange.0), y: pow(10, Double(tick)))
            s += "<line class=\"grid\" x1=\"\(f(Self.left))\" x2=\"\(f(plotRight))\" y1=\"\(f(y))\" y2=\"\(f(y))\"/>"
            s += "<text x=\"\(f(Self.left - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(Self.powerOfTen(tick))</text>\n"
        }
        for tick in xTicks {
            let (x, _) = position(x: tick, y: pow(10, yRange.0))
            s += "<line class=\"grid\" x1=\"\(f(x))\" x2=\"\(f(x))\" y1=\"\(f(Self.top))\" y2=\"\(f(plotBottom))\"/>"
            s += "<text x=\"\(f(x))\" y=\"\(f(plotBottom + 16))\" text-anchor=\"middle\">\(Self.integer(tick))</text>\n"
        }
        s += "<rect class=\"frame\" x=\"\(f(Self.left))\" y=\"\(f(Self.top))\" width=\"\(f(plotRight - Self.left))\" height=\"\(f(plotBottom - Self.top))\"/>\n"
        s += "<text x=\"\(f((Self.left + plotRight) / 2))\" y=\"\(f(Self.height - 10))\" text-anchor=\"middle\">\(HTMLText.escape(xLabel))</text>\n"
        s += "<text transform=\"translate(16 \(f((Self.top + plotBottom) / 2))) rotate(-90)\" text-anchor=\"middle\">\(HTMLText.escape(yLabel))</text>\n"
        for (index, line) in series.enumerated() {
            let points = line.points.filter { $0.y > 0 }.map { position(x: $0.x, y: $0.y) }
            let color = HTMLText.escape(line.color)
            if points.count > 1 {
                s += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " "))\"/>\n"
            }
            for point in points {
                s += "<circle cx=\"\(f(point.0))\" cy=\"\(f(point.1))\" r=\"3.5\" fill=\"\(color)\"/>"
            }
            let legendY = Self.top + 10 + Double(index) * 20
            s += "\n<line x1=\"\(f(plotRight + 12))\" x2=\"\(f(plotRight + 34))\" y1=\"\(f(legendY))\" y2=\"\(f(legendY))\" stroke=\"\(color)\" stroke-width=\"3\"/>"
            s += "<text x=\"\(f(plotRight + 40))\" y=\"\(f(legendY + 4))\">\(HTMLText.escape(line.label))</text>\n"
        }
        s += "</svg>\n"
        return s
    }

    static func integer(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%g", value)
    }

    /// "10⁻⁶" with Unicode superscripts, readable without any math font.
    static func powerOfTen(_ exponent: Int) -> String {
        let superscripts: [Character: Character] = ["0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹", "-": "⁻"]
        return "10" + String(String(exponent).map { superscripts[$0]! })
    }
}
