import Compute

extension VulkanBackend {
    public func pool2d(_ x: Tensor, _ pooling: Pooling) -> Tensor {
        precondition(x.rank == 4, "pool2d takes [N, C, H, W], got \(x.shape)")
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (ho, wo) = pooling.outputSize(height: h, width: w)
        precondition(ho > 0 && wo > 0, "pool2d window \(pooling.kernelHeight)×\(pooling.kernelWidth) does not fit \(h)×\(w)")
        let (result, out) = output([n, c, ho, wo], storedAs: x.precision)
        guard result.count > 0 else { return finished(result) }
        let rx = texelOperand(x)
        let mode: UInt32 = pooling.kind == .max ? 0 : 1
        stream.dispatch(Pool2dParams(mode: mode, h: Self.u(ho), w: Self.u(wo), inH: Self.u(h), inW: Self.u(w), xOffset: rx.scalarOffset,
                                     kh: Self.u(pooling.kernelHeight), kw: Self.u(pooling.kernelWidth),
                                     stride: Self.u(pooling.stride), pad: Self.u(pooling.padding)),
                        storage: [out], texels: [rx.scalarView],
                        groups: Self.grid(inner: ho * wo, z: n * c))
        return finished(result)
    }

    public func resizeBilinear(_ x: Tensor, height: Int, width: Int) -> Tensor {
        precondition(x.rank == 4 && height > 0 && width > 0, "resizeBilinear takes [N, C, H, W] to a positive size, got \(x.shape) → \(height)×\(width)")
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (result, out) = output([n, c, height, width], storedAs: x.precision)
        guard result.count > 0 else { return finished(result) }
        let rx = texelOperand(x)
        // The same float32 scale the CPU backend's BilinearTaps use.
        stream.dispatch(ResizeBilinearParams(h: Self.u(height), w: Self.u(width), inH: Self.u(h), inW: Self.u(w), xOffset: rx.scalarOffset,
                                             scaleY: Float(h) / Float(height), scaleX: Float(w) / Float(width)),
                        storage: [out], texels: [rx.scalarView],
                        groups: Self.grid(inner: height * width, z: n * c))
        return finished(result)
    }
}
