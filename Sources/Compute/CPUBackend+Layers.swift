import Foundation

extension CPUBackend {
    public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int, padding: ConvPadding) -> Tensor {
        let (n, ci, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (co, wci, kh, kw) = (weight.shape[0], weight.shape[1], weight.shape[2], weight.shape[3])
        precondition(wci == ci, "conv2d weight \(weight.shape) does not take \(ci) input channels")
        let ho = padding.outputLength(h, kernel: kh, stride: stride)
        let wo = padding.outputLength(w, kernel: kw, stride: stride)
        let input = scalars(x), filters = scalars(weight)
        let biases = bias.map(scalars) ?? [Float](repeating: 0, count: co)
        var out = [Float](repeating: 0, count: n * co * ho * wo)
        input.withUnsafeBufferPointer { src in
            filters.withUnsafeBufferPointer { flt in
                out.withUnsafeMutableBufferPointer { dst in
                    for b in 0..<n {
                        for o in 0..<co {
                            let plane = dst.baseAddress! + (b * co + o) * ho * wo
                            for i in 0..<(ho * wo) { plane[i] = biases[o] }
                            for c in 0..<ci {
                                let channel = src.baseAddress! + (b * ci + c) * h * w
                                for ky in 0..<kh {
                                    for kx in 0..<kw {
                                        let k = flt[((o * ci + c) * kh + ky) * kw + kx]
                                        for oy in 0..<ho {
                                            let iy = oy * stride + ky - padding.before
                                            if iy < 0 || iy >= h { continue }
                                            let row = channel + iy * w
                                            let outRow = plane + oy * wo
                                            for ox in 0..<wo {
                                                let ix = ox * stride + kx - padding.before
                                                if ix >= 0 && ix < w { outRow[ox] += k * row[ix] }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return make(out, [n, co, ho, wo], storedAs: x.precision)
    }

    public func groupNorm(_ x: Tensor, groups: Int, eps: Float, weight: Tensor?, bias: Tensor?, silu: Bool) -> Tensor {
        let (n, c) = (x.shape[0], x.shape[1])
        precondition(c % groups == 0, "groupNorm: \(c) channels do not split into \(groups) groups")
        let spatial = x.shape[2...].reduce(1, *)
        let perGroup = c / groups * spatial
        let v = scalars(x)
        let gamma = weight.map(scalars), beta = bias.map(scalars)
        var out = [Float](repeating: 0, count: v.count)
        for b in 0..<n {
            for g in 0..<groups {
                let base = (b * groups + g) * perGroup
                // Two-pass statistics in Double: the reference should not be the source of round-off.
                var mean = 0.0
                for i in 0..<perGroup { mean += Double(v[base + i]) }
                mean /= Double(perGroup)
                var variance = 0.0
                for i in 0..<perGroup { let d = Double(v[base + i]) - mean; variance += d * d }
                variance /= Double(perGroup)
                let inverse = 1 / (variance + Double(eps)).squareRoot()
                for i in 0..<perGroup {
                    let channel = g * (c / groups) + i / spatial
                    var y = Float((Double(v[base + i]) - mean) * inverse)
                    if let gamma { y *= gamma[channel] }
                    if let beta { y += beta[channel] }
                    out[base + i] = silu ? Activations.apply(.silu, y) : y
                }
            }
        }
        return make(out, x.shape, storedAs: x.precision)
    }

    public func layerNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, eps: Float) -> Tensor {
        let width = x.shape.last!
        let v = scalars(x)
        let gamma = weight.map(scalars), beta = bias.map(scalars)
        var out = [Float](repeating: 0, count: v.count)
        for r in 0..<(v.count / width) {
            let base = r * width
            var mean = 0.0
            for i in 0..<width { mean += Double(v[base + i]) }
            mean /= Double(width)
            var variance = 0.0
            for i in 0..<width { let d = Double(v[base + i]) - mean; variance += d * d }
            variance /= Double(width)
            let inverse = 1 / (variance + Double(eps)).squareRoot()
            for i in 0..<width {
                var y = Float((Double(v[base + i]) - mean) * inverse)
                if let gamma { y *= gamma[i] }
                if let beta { y += beta[i] }
                out[base + i] = y
            }
        }
        return make(out, x.shape, storedAs: x.precision)
    }

    public func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        let (outputs, inputs) = (weight.shape[0], weight.shape[1])
        precondition(x.shape.last == inputs, "linear weight \(weight.shape) does not take \(x.shape)")
        let rows = x.count / inputs
        let biases = bias.map(scalars) ?? [Float](repeating: 0, count: outputs)
        var out = [Float](repeating: 0, count: rows * outputs)
        scalars(x).withUnsafeBufferPointer { a in
            scalars(weight).withUnsafeBufferPointer { wt in
                out.withUnsafeMutableBufferPointer { out in
                    for r in 0..<rows {
                        for o in 0..<outputs {
                            out[r * outputs + o] = biases[o] + Self.dot(a.baseAddress! + r * inputs, wt.baseAddress! + o * inputs, inputs)
                        }
                    }
                }
            }
        }
        return make(out, Array(x.shape.dropLast()) + [outputs], storedAs: x.precision)
    }

    /// A plain dot product; four partial sums let the compiler vectorise it.
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
        var (s0, s1, s2, s3): (Float, Float, Float, Float) = (0, 0, 0, 0)
        var k = 0
        while k + 4 <= count {
            s0 += a[k] * b[k]; s1 += a[k + 1] * b[k + 1]; s2 += a[k + 2] * b[k + 2]; s3 += a[k + 3] * b[k + 3]
            k += 4
        }
        while k < count { s0 += a[k] * b[k]; k += 1 }
        return (s0 + s1) + (s2 + s3)
    }

    public func batchedMatmul(_ a: Tensor, _ b: Tensor, transposeB: Bool, scale: Float) -> Tensor {
        let (batch, m, k) = (a.shape[0], a.shape[1], a.shape[2])
        let n = transposeB ? b.shape[1] : b.shape[2]
        precondition(b.shape[0] == batch && (transposeB ? b.shape[2] : b.shape[1]) == k,
                     "batchedMatmul of \(a.shape) and \(b.shape) (transposeB \(transposeB))")
        let x = scalars(a), y = scalars(b)
        var out = [Float](repeating: 0, count: batch * m * n)
        x.withUnsafeBufferPointer { x in
            y.withUnsafeBufferPointer { y in
                for p in 0..<batch {
                    for i in 0..<m {
                        for j in 0..<n {
                            var sum: Float = 0
                            for l in 0..<k {
                                let right = transposeB ? y[(p * n + j) * k + l] : y[(p * k + l) * n + j]
                                sum += x[(p * m + i) * k + l] * right
                            }
                            out[(p * m + i) * n + j] = scale * sum
                        }
                    }
                }
            }
        }
        return make(out, [batch, m, n], storedAs: .propagated(a, b))
    }

    public func softmax(_ x: Tensor) -> Tensor {
        let width = x.shape.last!
        let v = scalars(x)
        var out = [Float](repeating: 0, count: v.count)
        for r in 0..<(v.count / width) {
            let row = v[(r * width)..<((r + 1) * width)]
            let top = row.max()!
            // A row masked entirely to -inf has no finite maximum; it yields zeros rather than NaN.
            guard top.isFinite else { continue }
            var total: Float = 0
            for i in 0..<width { let e = exp(v[r * width + i] - top); out[r * width + i] = e; total += e }
            for i in 0..<width { out[r * width + i] /= total }
        }
        return make(out, x.shape, storedAs: x.precision)
    }
}
