import Tensors

/// A tensor living on a backend, its values stored at `precision` (fp32, or fp16 for a model run at `--precision
/// fp16`) and always read back as Float. Shapes are row-major and logical (NCHW for images, [..., features]
/// for sequences); how a backend lays the values out in its memory is its own business, but `values()`
/// always returns them in this logical row-major order. A tensor is immutable: every op makes a new one,
/// and its memory goes back to the backend when the last reference is dropped.
public final class Tensor {
    public let shape: [Int]
    public let backend: any Backend
    /// The backend's handle to the memory (a `[Float]` box on the CPU, an arena region on Vulkan).
    public let storage: AnyObject
    /// How the values are stored: an fp16 tensor holds values that are exactly binary16 (computed in fp32 and
    /// rounded, ties to even, when stored). Ops carry it forward (`Precision.propagated`).
    public let precision: Precision

    public init(shape: [Int], backend: any Backend, storage: AnyObject, precision: Precision = .fp32) {
        self.shape = shape
        self.backend = backend
        self.storage = storage
        self.precision = precision
    }

    public var count: Int { shape.reduce(1, *) }
    public var rank: Int { shape.count }

    /// The same values viewed with another shape of the same element count (no copy).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(newShape.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
        return Tensor(shape: newShape, backend: backend, storage: storage, precision: precision)
    }

    /// Reads the values back to the host (waits for any queued work).
    public func values() -> [Float] { backend.values(of: self) }
    public func host() -> HostTensor { HostTensor(shape: shape, scalars: values()) }
}

extension Tensor: CustomStringConvertible {
    public var description: String { "Tensor(\(shape)\(precision == .fp16 ? " fp16" : "") on \(backend.name))" }
}
