import Foundation

extension CPUBackend {
    public func linearCombination(_ terms: [(Tensor, Double)]) -> Tensor {
        precondition(!terms.isEmpty, "linearCombination needs at least one term")
        let shape = terms[0].0.shape
        var out = [Float](repeating: 0, count: terms[0].0.count)
        for (tensor, coefficient) in terms {
            precondition(tensor.shape == shape, "linearCombination of \(shape) and \(tensor.shape)")
            let c = Float(coefficient)
            let x = scalars(tensor)
            for i in out.indices { out[i] += c * x[i] }
        }
        return make(out, shape, storedAs: .propagated(terms.map(\.0)))
    }

    public func add(_ a: Tensor, _ b: Tensor) -> Tensor { broadcast(a, b, +) }

    public func multiply(_ a: Tensor, _ b: Tensor) -> Tensor { broadcast(a, b, *) }

    private func broadcast(_ a: Tensor, _ b: Tensor, _ op: (Float, Float) -> Float) -> Tensor {
        let bStrides = Broadcast.strides(of: b.shape, against: a.shape)
        let x = scalars(a), y = scalars(b)
        let aStrides = Broadcast.rowMajorStrides(a.shape)
        var out = [Float](repeating: 0, count: x.count)
        for i in out.indices {
            var rest = i, j = 0
            for axis in 0..<a.rank {
                let coordinate = rest / aStrides[axis]
                rest %= aStrides[axis]
                j += coordinate * bStrides[axis]
            }
            out[i] = op(x[i], y[j])
        }
        return make(out, a.shape, storedAs: .propagated(a, b))
    }

    public func activation(_ x: Tensor, _ kind: Activation) -> Tensor {
        make(scalars(x).map { Activations.apply(kind, $0) }, x.shape, storedAs: x.precision)
    }

    public func geglu(_ x: Tensor) -> Tensor {
        let width = x.shape.last!
        precondition(width % 2 == 0, "geglu needs an even last axis, got \(x.shape)")
        let half = width / 2, rows = x.count / width
        let v = scalars(x)
        var out = [Float](repeating: 0, count: rows * half)
        for r in 0..<rows {
            for c in 0..<half {
                out[r * half + c] = v[r * width + c] * Activations.gelu(v[r * width + half + c])
            }
        }
        return make(out, Array(x.shape.dropLast()) + [half], storedAs: x.precision)
    }
}

/// Scalar definitions shared by the CPU backend and the tests of other backends.
public enum Activations {
    public static func apply(_ kind: Activation, _ x: Float) -> Float {
        switch kind {
        case .silu: return x / (1 + exp(-x))
        case .gelu: return gelu(x)
        case .quickGelu: return x / (1 + exp(-1.702 * x))
        case .relu: return max(x, 0)
        }
    }

    public static func gelu(_ x: Float) -> Float {
        Float(0.5 * Double(x) * (1 + erf(Double(x) / 2.0.squareRoot())))
    }
}

/// numpy broadcasting of `b` against `a`'s shape, expressed as strides into `b` (0 on broadcast axes).
public enum Broadcast {
    public static func rowMajorStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        for axis in stride(from: shape.count - 2, through: 0, by: -1) {
            strides[axis] = strides[axis + 1] * shape[axis + 1]
        }
        return strides
    }

    public static func strides(of b: [Int], against a: [Int]) -> [Int] {
        precondition(b.count <= a.count, "cannot broadcast \(b) against \(a)")
        let padded = [Int](repeating: 1, count: a.count - b.count) + b
        let own = rowMajorStrides(padded)
        return (0..<a.count).map { axis in
            precondition(padded[axis] == a[axis] || padded[axis] == 1, "cannot broadcast \(b) against \(a)")
            return padded[axis] == 1 ? 0 : own[axis]
        }
    }
}
