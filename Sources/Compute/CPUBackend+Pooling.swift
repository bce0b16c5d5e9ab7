extension CPUBackend {
    public func pool2d(_ x: Tensor, _ pooling: Pooling) -> Tensor {
        precondition(x.rank == 4, "pool2d takes [N, C, H, W], got \(x.shape)")
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (ho, wo) = pooling.outputSize(height: h, width: w)
        precondition(ho > 0 && wo > 0, "pool2d window \(pooling.kernelHeight)×\(pooling.kernelWidth) does not fit \(h)×\(w)")
        let v = scalars(x)
        var out = [Float](repeating: 0, count: n * c * ho * wo)
        for p in 0..<(n * c) {
            for oy in 0..<ho {
                let top = oy * pooling.stride - pooling.padding
                let rows = max(top, 0)..<min(top + pooling.kernelHeight, h)
                for ox in 0..<wo {
                    let left = ox * pooling.stride - pooling.padding
                    let columns = max(left, 0)..<min(left + pooling.kernelWidth, w)
                    var result: Float
                    switch pooling.kind {
                    case .max:
                        result = -.infinity
                        for y in rows { for xi in columns { result = max(result, v[(p * h + y) * w + xi]) } }
                    case .average:
                        result = 0
                        for y in rows { for xi in columns { result += v[(p * h + y) * w + xi] } }
                        result /= Float(rows.count * columns.count)
                    }
                    out[(p * ho + oy) * wo + ox] = result
                }
            }
        }
        return make(out, [n, c, ho, wo], storedAs: x.precision)
    }

    public func resizeBilinear(_ x: Tensor, height: Int, width: Int) -> Tensor {
        precondition(x.rank == 4 && height > 0 && width > 0, "resizeBilinear takes [N, C, H, W] to a positive size, got \(x.shape) → \(height)×\(width)")
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let v = scalars(x)
        let rowTaps = BilinearTaps.along(input: h, output: height)
        let columnTaps = BilinearTaps.along(input: w, output: width)
        var out = [Float](repeating: 0, count: n * c * height * width)
        for p in 0..<(n * c) {
            for (oy, row) in rowTaps.enumerated() {
                for (ox, column) in columnTaps.enumerated() {
                    let base = p * h * w
                    let top = (1 - column.weight) * v[base + row.low * w + column.low] + column.weight * v[base + row.low * w + column.high]
                    let bottom = (1 - column.weight) * v[base + row.high * w + column.low] + column.weight * v[base + row.high * w + column.high]
                    out[(p * height + oy) * width + ox] = (1 - row.weight) * top + row.weight * bottom
                }
            }
        }
        return make(out, [n, c, height, width], storedAs: x.precision)
    }
}

/// The two source positions and the weight of the second, for each output position of a bilinear resize,
/// as torch's `F.interpolate(mode='bilinear', align_corners=False)`: pixel centres line up
/// (source = (i + ½)·in/out − ½), clamped at 0 below and at the last pixel above.
public struct BilinearTaps: Equatable, Sendable {
    public var low: Int
    public var high: Int
    public var weight: Float

    public static func along(input: Int, output: Int) -> [BilinearTaps] {
        let scale = Float(input) / Float(output)
        return (0..<output).map { i in
            let source = max(scale * (Float(i) + 0.5) - 0.5, 0)
            let low = min(Int(source), input - 1)
            return BilinearTaps(low: low, high: min(low + 1, input - 1), weight: source - Float(low))
        }
    }
}
