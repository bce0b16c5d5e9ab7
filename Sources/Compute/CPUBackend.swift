import Foundation

/// The reference backend: plain loops over `[Float]`, written to be obviously correct rather than fast.
/// Every Vulkan kernel is tested against it.
public final class CPUBackend: Backend {
    final class Storage {
        let scalars: [Float]
        init(_ scalars: [Float]) { self.scalars = scalars }
    }

    public let name = "cpu"
    /// Host arrays have no binding limit.
    public let maxTensorBytes = Int.max

    public init() {}

    func scalars(_ tensor: Tensor) -> [Float] {
        guard let storage = tensor.storage as? Storage else {
            preconditionFailure("\(tensor) does not belong to the CPU backend")
        }
        return storage.scalars
    }

    func make(_ scalars: [Float], _ shape: [Int]) -> Tensor {
        Tensor(shape: shape, backend: self, storage: Storage(scalars))
    }

    /// An op's output stored at `precision`: each value rounded to fp16 where the device would store fp16, so the
    /// CPU backend is the exact emulation of a device that computes in fp32 and converts on store.
    func make(_ scalars: [Float], _ shape: [Int], storedAs precision: Precision) -> Tensor {
        let stored = precision == .fp16 ? scalars.map(HalfPrecision.rounded) : scalars
        return Tensor(shape: shape, backend: self, storage: Storage(stored), precision: precision)
    }

    public func tensor(_ scalars: [Float], shape: [Int]) -> Tensor {
        precondition(shape.reduce(1, *) == scalars.count, "shape \(shape) does not hold \(scalars.count) values")
        return make(scalars, shape)
    }

    public func values(of tensor: Tensor) -> [Float] { scalars(tensor) }

    public func stored(_ x: Tensor, as precision: Precision) -> Tensor { make(scalars(x), x.shape, storedAs: precision) }
}
