import Compute
import Models

/// torchvision's BasicConv2d: a convolution without bias, batch norm (eps 0.001, running statistics) and ReLU.
/// The batch norm is folded into the convolution at load (w·γ/√(σ²+ε), β − μ·γ/√(σ²+ε)), so a forward pass is
/// one conv and one ReLU. Kernels may be rectangular (1×7, 7×1, 1×3, 3×1) with padding per axis.
struct BasicConv2d {
    static let batchNormEpsilon = 0.001

    let weight: Tensor
    let bias: Tensor
    let stride: Int
    let padding: (height: Int, width: Int)

    init(_ p: ParameterLoader, _ inChannels: Int, _ outChannels: Int, kernel: (Int, Int), stride: Int = 1, padding: (Int, Int) = (0, 0)) throws {
        let conv = try p.scoped("conv").host("weight", [outChannels, inChannels, kernel.0, kernel.1])
        let bn = p.scoped("bn")
        let gamma = try bn.host("weight", [outChannels]).scalars, beta = try bn.host("bias", [outChannels]).scalars
        let mean = try bn.host("running_mean", [outChannels]).scalars, variance = try bn.host("running_var", [outChannels]).scalars
        let perFilter = inChannels * kernel.0 * kernel.1
        var folded = conv.scalars, shift = [Float](repeating: 0, count: outChannels)
        for o in 0..<outChannels {
            let scale = Double(gamma[o]) / (Double(variance[o]) + Self.batchNormEpsilon).squareRoot()
            for k in (o * perFilter)..<((o + 1) * perFilter) { folded[k] = Float(Double(folded[k]) * scale) }
            shift[o] = Float(Double(beta[o]) - Double(mean[o]) * scale)
        }
        precondition(stride == 1 || padding.0 == padding.1, "BasicConv2d pads unevenly only at stride 1")
        weight = p.backend.tensor(folded, shape: conv.shape)
        bias = p.backend.tensor(shift, shape: [outChannels])
        self.stride = stride
        self.padding = padding
    }

    init(_ p: ParameterLoader, _ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0) throws {
        try self.init(p, inChannels, outChannels, kernel: (kernel, kernel), stride: stride, padding: (padding, padding))
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        let backend = x.backend
        let y: Tensor
        if padding.height == padding.width {
            y = backend.conv2d(x, weight: weight, bias: bias, stride: stride, padding: .symmetric(padding.height))
        } else {
            // The backends pad both axes alike: pad both by the larger amount and cut the extra rows or columns
            // (at stride 1 they are exactly the outputs of the over-padded axis' extra positions).
            let p = max(padding.height, padding.width)
            let full = backend.conv2d(x, weight: weight, bias: bias, stride: 1, padding: .symmetric(p))
            let (h, w) = (x.shape[2] + 2 * padding.height - weight.shape[2] + 1, x.shape[3] + 2 * padding.width - weight.shape[3] + 1)
            let rows = backend.slice(full, axis: 2, range: (p - padding.height)..<(p - padding.height + h))
            y = backend.slice(rows, axis: 3, range: (p - padding.width)..<(p - padding.width + w))
        }
        return backend.activation(y, .relu)
    }
}
