/// `builtin:shapes`: the deterministic procedural image set behind the embedded reference model.
///
/// Ten classes (`ShapeKind`) of simple shapes and textures, 32×32 RGB. Image n has class n mod 10 and is drawn
/// from its own `SplitMix64` stream seeded by (seed, class, index within class), so a set with more images per
/// class begins with the images of a smaller one. Each pixel averages 4×4 sub-samples (anti-aliased edges), the
/// image is smoothed by a [1 2 1]/4 filter along each axis, and every value is rounded to an 8-bit level: edges
/// stay soft, which keeps the mixture's probability-flow ODE from being needlessly stiff, and the set survives
/// a PNG round trip exactly. Only integer arithmetic, + − × ÷ and sqrt are used, so the bytes are the same on
/// every machine.
public enum ShapesDataset {
    public static let name = "builtin:shapes"
    public static let defaultImagesPerClass = 32
    public static let defaultSeed: UInt64 = 20_241_007
    public static let side = 32
    public static var classNames: [String] { ShapeKind.allCases.map(\.name) }

    public static func make(imagesPerClass: Int = defaultImagesPerClass, seed: UInt64 = defaultSeed) -> LabeledImageSet {
        precondition(imagesPerClass > 0, "the shapes set needs at least one image per class")
        let kinds = ShapeKind.allCases
        var pixels: [Float] = []
        var labels: [Int] = []
        pixels.reserveCapacity(imagesPerClass * kinds.count * 3 * side * side)
        for index in 0..<imagesPerClass {
            for kind in kinds {
                pixels += render(kind, index: index, seed: seed).values
                labels.append(kind.rawValue)
            }
        }
        return LabeledImageSet(name: name, channels: 3, height: side, width: side,
                               pixels: pixels, labels: labels, classNames: classNames)
    }

    /// One image: the `index`-th of its class.
    public static func render(_ kind: ShapeKind, index: Int, seed: UInt64 = defaultSeed) -> PlanarImage {
        var generator = SplitMix64(seed: seed &+ (UInt64(kind.rawValue) << 32) &+ UInt64(index))
        _ = generator.next()
        let background = (0..<3).map { _ in generator.uniform(0.05, 0.95) }
        var foreground: [Double]
        repeat {
            foreground = (0..<3).map { _ in generator.uniform(0.05, 0.95) }
        } while zip(foreground, background).map({ ($0 - $1) * ($0 - $1) }).reduce(0, +) < 0.36
        let geometry = ShapeGeometry(drawingFrom: &generator)

        let n = side, subsamples = 4
        var coverage = [Double](repeating: 0, count: n * n)
        for py in 0..<n {
            for px in 0..<n {
                var total = 0.0
                for sy in 0..<subsamples {
                    for sx in 0..<subsamples {
                        let x = (Double(px) + (Double(sx) + 0.5) / Double(subsamples)) / Double(n)
                        let y = (Double(py) + (Double(sy) + 0.5) / Double(subsamples)) / Double(n)
                        total += kind.coverage(x: x, y: y, geometry)
                    }
                }
                coverage[py * n + px] = total / Double(subsamples * subsamples)
            }
        }
        coverage = smoothed(coverage, side: n)

        var image = PlanarImage(channels: 3, height: n, width: n, filledWith: 0)
        for c in 0..<3 {
            for i in 0..<(n * n) {
                let intensity = background[c] + (foreground[c] - background[c]) * coverage[i]
                image.values[c * n * n + i] = PixelLevels.value(ofLevel: UInt8((intensity * 255).rounded()))
            }
        }
        return image
    }

    /// [1 2 1]/4 along rows then columns, edges replicated.
    static func smoothed(_ plane: [Double], side n: Int) -> [Double] {
        func at(_ p: [Double], _ y: Int, _ x: Int) -> Double { p[min(max(y, 0), n - 1) * n + min(max(x, 0), n - 1)] }
        var rows = plane
        for y in 0..<n { for x in 0..<n { rows[y * n + x] = (at(plane, y, x - 1) + 2 * at(plane, y, x) + at(plane, y, x + 1)) / 4 } }
        var out = rows
        for y in 0..<n { for x in 0..<n { out[y * n + x] = (at(rows, y - 1, x) + 2 * at(rows, y, x) + at(rows, y + 1, x)) / 4 } }
        return out
    }
}
