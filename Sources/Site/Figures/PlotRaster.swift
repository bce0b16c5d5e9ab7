import Experiments
import Foundation

/// The PNG copy of a `LogLogPlot`, drawn at twice the SVG's size with the same layout. Labels use a
/// 3×5 pixel font (upper case; powers of ten written 1E-6), so the PNG stands alone in a slide or paper draft.
enum PlotRaster {
    static func render(_ plot: LogLogPlot) -> RGBImage {
        let s = 2.0
        var canvas = PixelCanvas(width: Int(LogLogPlot.width * s), height: Int(LogLogPlot.height * s), background: (255, 255, 255))
        let ink: PixelCanvas.Color = (34, 34, 34), grid: PixelCanvas.Color = (221, 221, 221)
        let left = LogLogPlot.left * s, right = (LogLogPlot.width - LogLogPlot.right) * s
        let top = LogLogPlot.top * s, bottom = (LogLogPlot.height - LogLogPlot.bottom) * s
        func scaled(_ p: (Double, Double)) -> (Double, Double) { (p.0 * s, p.1 * s) }

        for tick in plot.yTicks {
            let y = scaled(plot.position(x: pow(10, plot.xRange.0), y: pow(10, Double(tick)))).1
            canvas.line(from: (left, y), to: (right, y), thickness: 1.5, color: grid)
            let label = "1E\(tick)"
            canvas.text(label, x: Int(left) - 10 - PixelCanvas.textWidth(label, scale: 3), y: Int(y) - 7, scale: 3, color: ink)
        }
        for tick in plot.xTicks {
            let x = scaled(plot.position(x: tick, y: pow(10, plot.yRange.0))).0
            canvas.line(from: (x, top), to: (x, bottom), thickness: 1.5, color: grid)
            let label = LogLogPlot.integer(tick)
            canvas.text(label, x: Int(x) - PixelCanvas.textWidth(label, scale: 3) / 2, y: Int(bottom) + 12, scale: 3, color: ink)
        }
        for (a, b) in [((left, top), (right, top)), ((right, top), (right, bottom)), ((right, bottom), (left, bottom)), ((left, bottom), (left, top))] {
            canvas.line(from: a, to: b, thickness: 2, color: ink)
        }
        canvas.text(plot.title, x: Int(left), y: 16, scale: 4, color: ink)
        canvas.text(plot.xLabel, x: Int((left + right) / 2) - PixelCanvas.textWidth(plot.xLabel, scale: 3) / 2, y: Int(LogLogPlot.height * s) - 30, scale: 3, color: ink)
        canvas.text(plot.yLabel, x: 8, y: Int(top) - 30, scale: 3, color: ink)
        for (index, line) in plot.series.enumerated() {
            let color = PixelCanvas.color(hex: line.color)
            let points = line.points.filter { $0.y > 0 }.map { scaled(plot.position(x: $0.x, y: $0.y)) }
            for (a, b) in zip(points, points.dropFirst()) { canvas.line(from: a, to: b, thickness: 4, color: color) }
            for point in points { canvas.disc(cx: point.0, cy: point.1, radius: 7, color: color) }
            let legendY = (LogLogPlot.top + 10 + Double(index) * 20) * s
            canvas.line(from: (right + 24, legendY), to: (right + 68, legendY), thickness: 6, color: color)
            canvas.text(line.label, x: Int(right) + 80, y: Int(legendY) - 7, scale: 3, color: ink)
        }
        return canvas.image
    }
}
