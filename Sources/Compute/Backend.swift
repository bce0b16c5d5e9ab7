import Tensors

/// Pointwise nonlinearities the models use.
public enum Activation: String, Sendable, CaseIterable {
    case silu
    /// GELU with the exact erf, as torch's default.
    case gelu
    /// x · sigmoid(1.702 x), CLIP's activation.
    case quickGelu
    /// max(x, 0), the Inception network's activation.
    case relu
}

/// The operations every model and sampler is written against. The CPU backend is the plain reference;
/// the Vulkan backend implements the same contract on the GPU and is tested against it op by op.
///
/// Conventions: tensors are row-major in their logical shape and stored at their `precision`: an op computes in
/// fp32 and stores its output in fp16 when any of its activation inputs is fp16 (`Precision.propagated`; weights,
/// biases and norm affine parameters do not count), so the CPU backend, rounding each such output, is the exact
/// emulation of a device that converts on store. Broadcasting in `add` and
/// `multiply` follows numpy: `b` is right-aligned against `a` and each of its dims equals `a`'s or is 1.
/// Ops never modify their inputs.
public protocol Backend: AnyObject {
    var name: String { get }
    /// The largest tensor, in bytes, the backend can hold in one piece (one storage-buffer binding on a GPU).
    /// Models that can foresee their buffers (attention scores, a VAE decode at a given size) split their work
    /// to stay under it; an op asked for more stops the process.
    var maxTensorBytes: Int { get }

    // MARK: data movement
    func tensor(_ scalars: [Float], shape: [Int]) -> Tensor
    /// A GEMM or convolution weight (the `weight` of `linear` or `conv2d`) stored at `precision`. It reads back,
    /// and computes, as its values rounded to that precision; a backend that cannot store fp16 holds the rounded
    /// values in fp32 (the default below), which is exactly what an fp16 store widens to.
    func weight(_ values: HostTensor, precision: Precision) -> Tensor
    func values(of tensor: Tensor) -> [Float]
    /// The same values stored at `precision`: rounded to the nearest binary16 (ties to even) into fp16, exact
    /// into fp32. Models at `--precision fp16` convert their input with it at entry and their output at exit.
    func stored(_ x: Tensor, as precision: Precision) -> Tensor

    // MARK: arithmetic (the samplers' whole vocabulary is `linearCombination`)
    /// Σ coefficient·tensor over tensors of one shape; coefficients are given in Double and applied in float32.
    func linearCombination(_ terms: [(Tensor, Double)]) -> Tensor
    func add(_ a: Tensor, _ b: Tensor) -> Tensor
    func multiply(_ a: Tensor, _ b: Tensor) -> Tensor
    func activation(_ x: Tensor, _ kind: Activation) -> Tensor
    /// Splits the last axis into halves (h, g) and returns h · gelu(g) (diffusers' GEGLU).
    func geglu(_ x: Tensor) -> Tensor

    // MARK: layout
    /// Reorders axes: output axis i is input axis `order[i]`.
    func permute(_ x: Tensor, _ order: [Int]) -> Tensor
    func concat(_ tensors: [Tensor], axis: Int) -> Tensor
    func slice(_ x: Tensor, axis: Int, range: Range<Int>) -> Tensor

    // MARK: neural-network layers
    /// x [N, Ci, H, W], weight [Co, Ci, kh, kw], bias [Co]; zero padding `before` at the top and left, `after`
    /// at the bottom and right.
    func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int, padding: ConvPadding) -> Tensor
    /// x [N, C, ...]: statistics over each group of C/groups channels and all spatial positions;
    /// weight and bias [C]; SiLU applied after when `silu` is set.
    func groupNorm(_ x: Tensor, groups: Int, eps: Float, weight: Tensor?, bias: Tensor?, silu: Bool) -> Tensor
    /// Normalises over the last axis; weight and bias have the last axis' size.
    func layerNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, eps: Float) -> Tensor
    /// x [..., in] · weightᵀ + bias, weight [out, in] as torch's nn.Linear stores it.
    func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor
    /// scale · a · b (or a · bᵀ): a [B, M, K], b [B, K, N] (or [B, N, K]) → [B, M, N].
    func batchedMatmul(_ a: Tensor, _ b: Tensor, transposeB: Bool, scale: Float) -> Tensor
    /// Softmax over the last axis.
    func softmax(_ x: Tensor) -> Tensor
    /// [N, C, H, W] → [N, C, 2H, 2W], nearest neighbour.
    func upsampleNearest2x(_ x: Tensor) -> Tensor
    /// [N, C, H, W] → [N, C, H/2, W/2], mean of each 2×2 block.
    func avgPool2x(_ x: Tensor) -> Tensor
    /// Max or average pooling of x [N, C, H, W] over windows (see `Pooling` for how padding counts).
    func pool2d(_ x: Tensor, _ pooling: Pooling) -> Tensor
    /// [N, C, H, W] → [N, C, height, width], bilinear as torch's `F.interpolate(align_corners=False)` without
    /// antialiasing (`BilinearTaps`).
    func resizeBilinear(_ x: Tensor, height: Int, width: Int) -> Tensor
    /// Rows of table [V, D] picked by index → [indices.count, D].
    func embedding(_ table: Tensor, indices: [Int]) -> Tensor
}

extension Backend {
    public func tensor(_ host: HostTensor) -> Tensor { tensor(host.scalars, shape: host.shape) }

    /// fp16 emulated: the values rounded to fp16 and held in fp32 (the CPU backend's way; products then
    /// accumulate in fp32, as on the device).
    public func weight(_ values: HostTensor, precision: Precision) -> Tensor {
        precision == .fp32 ? tensor(values) : stored(tensor(values), as: precision)
    }

    public func zeros(_ shape: [Int]) -> Tensor { tensor([Float](repeating: 0, count: shape.reduce(1, *)), shape: shape) }

    /// conv2d with the same zero padding on every side, as torch's nn.Conv2d.
    public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int, padding: Int) -> Tensor {
        conv2d(x, weight: weight, bias: bias, stride: stride, padding: .symmetric(padding))
    }

    public func scaled(_ x: Tensor, by factor: Double) -> Tensor { linearCombination([(x, factor)]) }

    public func subtract(_ a: Tensor, _ b: Tensor) -> Tensor { linearCombination([(a, 1), (b, -1)]) }
}
