import Compute
import Tensors

/// The CPU backend, recording the precision each op stores its output at (by op name), so tests can see what
/// a model keeps in fp16 and what in fp32. Its tensors name it as their backend, so layers calling `x.backend`
/// come back here.
final class PrecisionRecordingBackend: Backend {
    private let wrapped = CPUBackend()
    private(set) var outputs: [(op: String, precision: Precision)] = []

    var name: String { wrapped.name }
    var maxTensorBytes: Int { wrapped.maxTensorBytes }

    /// The precisions `op`'s outputs were stored at.
    func precisions(of op: String) -> Set<Precision> { Set(outputs.filter { $0.op == op }.map(\.precision)) }

    private func own(_ t: Tensor, _ op: String = #function) -> Tensor {
        outputs.append((String(op.prefix { $0 != "(" }), t.precision))
        return Tensor(shape: t.shape, backend: self, storage: t.storage, precision: t.precision)
    }
    private func inner(_ t: Tensor) -> Tensor { Tensor(shape: t.shape, backend: wrapped, storage: t.storage, precision: t.precision) }

    func tensor(_ scalars: [Float], shape: [Int]) -> Tensor { own(wrapped.tensor(scalars, shape: shape)) }
    func weight(_ values: HostTensor, precision: Precision) -> Tensor { own(wrapped.weight(values, precision: precision)) }
    func values(of tensor: Tensor) -> [Float] { wrapped.values(of: inner(tensor)) }
    func stored(_ x: Tensor, as precision: Precision) -> Tensor { own(wrapped.stored(inner(x), as: precision)) }
    func linearCombination(_ terms: [(Tensor, Double)]) -> Tensor { own(wrapped.linearCombination(terms.map { (inner($0.0), $0.1) })) }
    func add(_ a: Tensor, _ b: Tensor) -> Tensor { own(wrapped.add(inner(a), inner(b))) }
    func multiply(_ a: Tensor, _ b: Tensor) -> Tensor { own(wrapped.multiply(inner(a), inner(b))) }
    func activation(_ x: Tensor, _ kind: Activation) -> Tensor { own(wrapped.activation(inner(x), kind)) }
    func geglu(_ x: Tensor) -> Tensor { own(wrapped.geglu(inner(x))) }
    func permute(_ x: Tensor, _ order: [Int]) -> Tensor { own(wrapped.permute(inner(x), order)) }
    func concat(_ tensors: [Tensor], axis: Int) -> Tensor { own(wrapped.concat(tensors.map(inner), axis: axis)) }
    func slice(_ x: Tensor, axis: Int, range: Range<Int>) -> Tensor { own(wrapped.slice(inner(x), axis: axis, range: range)) }
    func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int, padding: ConvPadding) -> Tensor {
        own(wrapped.conv2d(inner(x), weight: inner(weight), bias: bias.map(inner), stride: stride, padding: padding))
    }
    func groupNorm(_ x: Tensor, groups: Int, eps: Float, weight: Tensor?, bias: Tensor?, silu: Bool) -> Tensor {
        own(wrapped.groupNorm(inner(x), groups: groups, eps: eps, weight: weight.map(inner), bias: bias.map(inner), silu: silu))
    }
    func layerNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, eps: Float) -> Tensor {
        own(wrapped.layerNorm(inner(x), weight: weight.map(inner), bias: bias.map(inner), eps: eps))
    }
    func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor { own(wrapped.linear(inner(x), weight: inner(weight), bias: bias.map(inner))) }
    func batchedMatmul(_ a: Tensor, _ b: Tensor, transposeB: Bool, scale: Float) -> Tensor {
        own(wrapped.batchedMatmul(inner(a), inner(b), transposeB: transposeB, scale: scale))
    }
    func softmax(_ x: Tensor) -> Tensor { own(wrapped.softmax(inner(x))) }
    func upsampleNearest2x(_ x: Tensor) -> Tensor { own(wrapped.upsampleNearest2x(inner(x))) }
    func avgPool2x(_ x: Tensor) -> Tensor { own(wrapped.avgPool2x(inner(x))) }
    func pool2d(_ x: Tensor, _ pooling: Pooling) -> Tensor { own(wrapped.pool2d(inner(x), pooling)) }
    func resizeBilinear(_ x: Tensor, height: Int, width: Int) -> Tensor { own(wrapped.resizeBilinear(inner(x), height: height, width: width)) }
    func embedding(_ table: Tensor, indices: [Int]) -> Tensor { own(wrapped.embedding(inner(table), indices: indices)) }
}
