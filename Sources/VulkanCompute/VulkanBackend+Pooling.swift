import Compute

extension VulkanBackend {
    public func pool2d(_ x: Tensor, _ pooling: Pooling) -> Tensor {
        precondition(x.rank == 4, "pool2d takes [N, C, H, W], got \(x.shape)")
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (ho, wo) = pooling.outputSize(height: h, width: w)
        precondition(ho > 0 && wo > 0, "pool2d window \(pooling.kernelHeight)×\(pooling.kernelWidth) does not fit \(h)×\(w)")
        let (result, out) = output([n, c, ho, wo])
        guard result.count > 0 else { return result }
        let rx = region(x)
        let mode: UInt32 = pooling.kind == .max ? 0 : 1
        stream.dispatch(.pool2d, storage: [out], texels: [rx.block.scalarView],
                        push: [mode] + [ho, wo, h, w, Int(rx.scalarOffset), pooling.kernelHeight, pooling.kernelWidth,
                                        pooling.stride, pooling.padding].map(Self.u),
                        groups: Self.grid(inner: ho * wo, z: n * c))
        return result
    }

    public func resizeBilinear(_ x: Tensor, height: Int, width: Int) -> Tensor {
        precondition(x.rank == 4 && height > 0 && width > 0, "resizeBilinear takes [N, C, H, W] to a positive size, got \(x.shape) → \(height)×\(width)")
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (result, out) = output([n, c, height, width])
        guard result.count > 0 else { return result }
        let rx = region(x)
        // The same float32 scale the CPU backend's BilinearTaps use.
        let scales = [Self.f(Float(h) / Float(height)), Self.f(Float(w) / Float(width))]
        stream.dispatch(.resizeBilinear, storage: [out], texels: [rx.block.scalarView],
                        push: [height, width, h, w, Int(rx.scalarOffset)].map(Self.u) + scales,
                        groups: Self.grid(inner: height * width, z: n * c))
        return result
    }
}
