import CVulkan
import Compute

/// fp16 storage: conversions between fp32 and fp16 regions on the device (`convert_precision`), and the
/// bookkeeping that stores each op's output at its propagated precision. Kernels compute in fp32. They read an fp16
/// input as it is where they read through texel views (`texelOperand`: RGBA16F and R16F views) or through the GEMM
/// kernels' fp16 paths (`halfGEMMOperand`); the few storage-buffer readers get it widened (`region(_:)`,
/// `fp32Values`). The kernels with an fp16 store path write an fp16 output themselves, rounding with the narrowing
/// pass's function (half_store.glsl); any other fp16 output is written in fp32 and narrowed once the kernel is
/// recorded (`finished(_:)`). Either way every value an fp16 tensor holds is its fp32 result rounded once, ties to
/// even, exactly as the CPU backend rounds it.
extension VulkanBackend {
    /// `floats` fp32 values rounded to fp16 (ties to even) in a region of their own.
    func narrowed(_ region: DeviceRegion, floats: Int) -> DeviceRegion {
        let half = allocate(bytes: floats * 2, for: "fp16 values of \(floats) floats")
        convert(into: half, from: region, count: floats, toHalf: true)
        return half
    }

    /// `floats` fp16 values widened to fp32 in a region of their own.
    func widened(_ region: DeviceRegion, floats: Int) -> DeviceRegion {
        let wide = allocate(floats: floats, for: "fp32 values of \(floats) fp16 values")
        convert(into: wide, from: region, count: floats, toHalf: false)
        return wide
    }

    private func convert(into out: DeviceRegion, from source: DeviceRegion, count: Int, toHalf: Bool) {
        guard count > 0 else { return }
        let invocations = toHalf ? (count + 1) / 2 : count
        stream.dispatch(ConvertPrecisionParams(count: Self.u(count), toHalf: toHalf ? 1 : 0),
                        storage: [out, source], groups: Self.grid(invocations))
    }

    public func stored(_ x: Tensor, as precision: Precision) -> Tensor {
        let storage = self.storage(x)
        if x.precision == precision && (precision == .fp32 || storage.precision == .fp16) { return x }
        let rowMajor = region(x)
        guard precision == .fp16 else { return make(rowMajor, x.shape) }
        return Tensor(shape: x.shape, backend: self, storage: Storage(narrowed(rowMajor, floats: x.count), precision: .fp16),
                      precision: .fp16)
    }

    /// A fresh output tensor of `shape` to be stored at `precision`, and the fp32 region its kernel writes; the op
    /// returns `finished(tensor)`.
    func output(_ shape: [Int], storedAs precision: Precision) -> (Tensor, DeviceRegion) {
        let region = allocate(floats: shape.reduce(1, *), for: "a tensor of shape \(shape)")
        return (Tensor(shape: shape, backend: self, storage: Storage(region), precision: precision), region)
    }

    /// A fresh output tensor for a kernel with an fp16 store path, which `kernelStoresHalf` says covers this shape
    /// (every 32-bit word of packed halves it writes lies whole in one invocation's values): an fp16 output then gets
    /// fp16 storage and `outHalf` 1 for the kernel's push constants, with no fp32 temporary and no narrowing pass;
    /// otherwise `output(_:storedAs:)`'s region and 0, and `finished(_:)` narrows it as for any kernel.
    func output(_ shape: [Int], storedAs precision: Precision, kernelStoresHalf: Bool) -> (Tensor, DeviceRegion, outHalf: UInt32) {
        guard precision == .fp16, kernelStoresHalf, kernelsStoreHalf else {
            let (tensor, region) = output(shape, storedAs: precision)
            return (tensor, region, 0)
        }
        let region = allocate(bytes: shape.reduce(1, *) * 2, for: "the fp16 values of a tensor of shape \(shape)")
        return (Tensor(shape: shape, backend: self, storage: Storage(region, precision: .fp16), precision: .fp16), region, 1)
    }

    /// The op's output at its precision: an fp16 output, written in fp32 by its kernel, narrowed to fp16 storage
    /// (the fp32 region goes back to the arena as soon as the conversion is recorded).
    func finished(_ result: Tensor) -> Tensor {
        guard result.precision == .fp16, storage(result).precision == .fp32 else { return result }
        return stored(result, as: .fp16)
    }
}

/// A tensor as a kernel reads it through its texel bindings (vec4 and scalar): an fp16 tensor straight from its fp16
/// values through the block's RGBA16F and R16F views (the kernel is the same; only the views and the offsets
/// differ), where the device has both, else its fp32 values (widened on the device). `region` keeps those values
/// alive until the dispatch that reads them is recorded.
struct TexelOperand {
    let region: DeviceRegion
    /// Values the operand holds (its tensor's count).
    let count: Int
    let view: VkBufferView
    let texelOffset: UInt32
    let scalarView: VkBufferView
    let scalarOffset: UInt32
    /// Whether the values are fp16 (kernels reading storage buffers cannot take them).
    let isHalf: Bool

    /// fp32 values in `region`.
    init(fp32 region: DeviceRegion, count: Int) {
        self.region = region
        self.count = count
        view = region.block.view
        texelOffset = region.texelOffset
        scalarView = region.block.scalarView
        scalarOffset = region.scalarOffset
        isHalf = false
    }

    /// fp16 values in `region`, where its block has both half views.
    init?(fp16 region: DeviceRegion, count: Int) {
        guard let halfView = region.block.halfView, let halfScalarView = region.block.halfScalarView else { return nil }
        self.region = region
        self.count = count
        view = halfView
        texelOffset = region.halfTexelOffset
        scalarView = halfScalarView
        scalarOffset = region.halfScalarOffset
        isHalf = true
    }
}

extension VulkanBackend {
    /// The fp16 row-major values of a tensor stored so, where the GEMM kernels can read them as they are (the
    /// shared family two to a uint, the texel family through RGBA16F views); nil where they read fp32.
    func halfGEMMOperand(_ tensor: Tensor) -> DeviceRegion? {
        let storage = self.storage(tensor)
        guard storage.precision == .fp16, let rowMajor = storage.rowMajor, kernelFamily == .shared || rowMajor.block.halfView != nil else {
            return nil
        }
        return rowMajor
    }

    func texelOperand(_ tensor: Tensor) -> TexelOperand {
        let storage = self.storage(tensor)
        if storage.precision == .fp16, let rowMajor = storage.rowMajor, let half = TexelOperand(fp16: rowMajor, count: tensor.count) {
            return half
        }
        return TexelOperand(fp32: region(tensor), count: tensor.count)
    }

    /// The operand's fp32 values, for kernels that read storage buffers.
    func fp32Values(_ operand: TexelOperand) -> DeviceRegion {
        operand.isHalf ? widened(operand.region, floats: operand.count) : operand.region
    }
}
