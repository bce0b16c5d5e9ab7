import Tensors

/// Runs every op on another backend and counts the floating-point operations of the dense layers
/// (conv2d, linear, batchedMatmul: 2 per multiply-add, as benchmarks quote them). Elementwise ops, norms and
/// softmax are left out; they are a fraction of a percent of a UNet's work. Its tensors share the wrapped
/// backend's storage (so a model built on it runs at that backend's speed) but name this backend as theirs,
/// so that layers calling `x.backend` keep coming back here to be counted.
public final class FLOPCountingBackend: Backend {
    public let wrapped: any Backend
    public private(set) var flops: Double = 0

    public init(wrapping backend: any Backend) { wrapped = backend }

    public var name: String { wrapped.name }
    public var maxTensorBytes: Int { wrapped.maxTensorBytes }

    public func reset() { flops = 0 }

    private func own(_ t: Tensor) -> Tensor { Tensor(shape: t.shape, backend: self, storage: t.storage, precision: t.precision) }
    private func inner(_ t: Tensor) -> Tensor { Tensor(shape: t.shape, backend: wrapped, storage: t.storage, precision: t.precision) }

    public func tensor(_ scalars: [Float], shape: [Int]) -> Tensor { own(wrapped.tensor(scalars, shape: shape)) }
    public func weight(_ values: HostTensor, precision: Precision) -> Tensor { own(wrapped.weight(values, precision: precision)) }
    public func values(of tensor: Tensor) -> [Float] { wrapped.values(of: inner(tensor)) }
    public func stored(_ x: Tensor, as precision: Precision) -> Tensor { own(wrapped.stored(inner(x), as: precision)) }
    public func linearCombination(_ terms: [(Tensor, Double)]) -> Tensor { own(wrapped.linearCombination(terms.map { (inner($0.0), $0.1) })) }
    public func add(_ a: Tensor, _ b: Tensor) -> Tensor { own(wrapped.add(inner(a), inner(b))) }
    public func multiply(_ a: Tensor, _ b: Tensor) -> Tensor { own(wrapped.multiply(inner(a), inner(b))) }
    public func activation(_ x: Tensor, _ kind: Activation) -> Tensor { own(wrapped.activation(inner(x), kind)) }
    public func geglu(_ x: Tensor) -> Tensor { own(wrapped.geglu(inner(x))) }
    public func permute(_ x: Tensor, _ order: [Int]) -> Tensor { own(wrapped.permute(inner(x), order)) }
    public func concat(_ tensors: [Tensor], axis: Int) -> Tensor { own(wrapped.concat(tensors.map(inner), axis: axis)) }
    public func slice(_ x: Tensor, axis: Int, range: Range<Int>) -> Tensor { own(wrapped.slice(inner(x), axis: axis, range: range)) }

    public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int, padding: ConvPadding) -> Tensor {
        let y = own(wrapped.conv2d(inner(x), weight: inner(weight), bias: bias.map(inner), stride: stride, padding: padding))
        // Each output element is a dot product over Ci·kh·kw inputs.
        flops += 2 * Double(y.count) * Double(weight.shape[1...].reduce(1, *))
        return y
    }

    public func groupNorm(_ x: Tensor, groups: Int, eps: Float, weight: Tensor?, bias: Tensor?, silu: Bool) -> Tensor {
        own(wrapped.groupNorm(inner(x), groups: groups, eps: eps, weight: weight.map(inner), bias: bias.map(inner), silu: silu))
    }

    public func layerNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, eps: Float) -> Tensor {
        own(wrapped.layerNorm(inner(x), weight: weight.map(inner), bias: bias.map(inner), eps: eps))
    }

    public func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        flops += 2 * Double(x.count) * Double(weight.shape[0])
        return own(wrapped.linear(inner(x), weight: inner(weight), bias: bias.map(inner)))
    }

    public func batchedMatmul(_ a: Tensor, _ b: Tensor, transposeB: Bool, scale: Float) -> Tensor {
        let n = transposeB ? b.shape[1] : b.shape[2]
        flops += 2 * Double(a.count) * Double(n)
        return own(wrapped.batchedMatmul(inner(a), inner(b), transposeB: transposeB, scale: scale))
    }

    public func softmax(_ x: Tensor) -> Tensor { own(wrapped.softmax(inner(x))) }
    public func upsampleNearest2x(_ x: Tensor) -> Tensor { own(wrapped.upsampleNearest2x(inner(x))) }
    public func avgPool2x(_ x: Tensor) -> Tensor { own(wrapped.avgPool2x(inner(x))) }
    public func pool2d(_ x: Tensor, _ pooling: Pooling) -> Tensor { own(wrapped.pool2d(inner(x), pooling)) }
    public func resizeBilinear(_ x: Tensor, height: Int, width: Int) -> Tensor { own(wrapped.resizeBilinear(inner(x), height: height, width: width)) }
    public func embedding(_ table: Tensor, indices: [Int]) -> Tensor { own(wrapped.embedding(inner(table), indices: indices)) }
}
