import Compute

/// Weights in the layouts their kernels read, one device copy each.
extension VulkanBackend {
    /// The precision a GEMM or convolution weight is packed in: the one it is stored at where the kernels can
    /// read it (the texel family through RGBA16F texel views, where the device has them; the shared family
    /// always), else fp32 (holding the same fp16-rounded values).
    func packedPrecision(of weight: Tensor) -> Precision {
        storage(weight).precision == .fp16 && (kernelFamily == .shared || context.halfTexelBuffers) ? .fp16 : .fp32
    }

    /// The weight in `layout`, made the first time a kernel asks and kept with the tensor's storage (shared by its
    /// reshaped views). The repacked values take the place of the row-major ones: where they fit the same region,
    /// they are gathered into a scratch region and copied back over it (so a model's weights stay where they were
    /// uploaded, and the scratch, the size of one weight, goes straight back to the arena); else they get a region
    /// of their own and the row-major one is released. Either way the weight then holds one copy. An fp16 weight
    /// is widened, gathered and narrowed again on the device (exact: its values are fp16 already).
    func packed(_ weight: Tensor, _ layout: PackedLayout) -> DeviceRegion {
        let storage = self.storage(weight)
        if let cached = storage.packed[layout] { return cached }
        precondition(layout.valueCount == weight.count, "packed layout \(layout.dims) does not hold the \(weight.count) values of \(weight.shape)")
        let source = region(weight)
        let gathered = allocate(floats: layout.floats, for: "the packed layout \(layout.dims) of a \(weight.shape) weight")
        gather(into: gathered, from: source, dims: layout.dims, strides: layout.strides, extent: layout.extent)
        let target = layout.precision == .fp16 ? narrowed(gathered, floats: layout.floats) : gathered
        guard let rowMajor = storage.rowMajor else {
            // Gathered from another packing (through a transient row-major copy): both layouts are kept.
            storage.packed[layout] = target
            return target
        }
        storage.rowMajor = nil
        if layout.precision == storage.precision && layout.bytes <= rowMajor.size {
            stream.copy(from: target, to: rowMajor, bytes: layout.bytes)
            storage.packed[layout] = rowMajor
            return rowMajor
        }
        storage.packed[layout] = target
        return target
    }
}
