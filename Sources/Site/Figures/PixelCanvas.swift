import Experiments

/// A small RGB surface for composing image grids: filled rectangles and nearest-neighbour image blits.
/// Integer maths only, so the pixels (and the PNG bytes) are the same on every machine. (Plots are drawn by cairo.)
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

    /// Copies `image` with its top-left at (x, y), each pixel as a `scale`×`scale` block (no smoothing).
    mutating func draw(_ image: RGBImage, x: Int, y: Int, scale: Int) {
        for sy in 0..<image.height * scale {
            for sx in 0..<image.width * scale {
                let i = ((sy / scale) * image.width + sx / scale) * 3
                set(x + sx, y + sy, (image.pixels[i], image.pixels[i + 1], image.pixels[i + 2]))
            }
        }
    }
}
