import CVulkan
import Compute

/// fp16 storage: conversions between fp32 and fp16 regions on the device (`convert_precision`), and the
/// bookkeeping that stores each op's output at its propagated precision. Kernels compute in fp32; an fp16 input is
/// read widened (`region(_:)`), and an fp16 output is written in fp32 and narrowed once the kernel is recorded
/// (`finished(_:)`), so every value an fp16 tensor holds is its fp32 result rounded once, ties to even, exactly as
/// the CPU backend rounds it.
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

    /// The op's output at its precision: an fp16 output, written in fp32 by its kernel, narrowed to fp16 storage
    /// (the fp32 region goes back to the arena as soon as the conversion is recorded).
    func finished(_ result: Tensor) -> Tensor {
        guard result.precision == .fp16, storage(result).precision == .fp32 else { return result }
        return stored(result, as: .fp16)
    }
}

/// A tensor as a kernel reads it through a vec4 texel binding: an fp16 tensor straight from its fp16 values through
/// the block's RGBA16F view (the kernel is the same; only the view and the offset differ), where the device has
/// such views, else its fp32 values (widened on the device). `region` keeps those values alive until the dispatch
/// that reads them is recorded.
struct Vec4Operand {
    let region: DeviceRegion
    let view: VkBufferView
    let texelOffset: UInt32
    /// Whether the values are fp16 (an SSBO kernel then reads them two to a uint).
    let isHalf: Bool
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

    func vec4Operand(_ tensor: Tensor) -> Vec4Operand {
        let storage = self.storage(tensor)
        if storage.precision == .fp16, let rowMajor = storage.rowMajor, let halfView = rowMajor.block.halfView {
            return Vec4Operand(region: rowMajor, view: halfView, texelOffset: rowMajor.halfTexelOffset, isHalf: true)
        }
        let values = region(tensor)
        return Vec4Operand(region: values, view: values.block.view, texelOffset: values.texelOffset, isHalf: false)
    }
}
