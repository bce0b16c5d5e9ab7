import Compute

extension VulkanBackend {
    public func groupNorm(_ x: Tensor, groups: Int, eps: Float, weight: Tensor?, bias: Tensor?, silu: Bool) -> Tensor {
        let (n, c) = (x.shape[0], x.shape[1])
        precondition(c % groups == 0, "groupNorm: \(c) channels do not split into \(groups) groups")
        let spatial = x.shape[2...].reduce(1, *)
        let (result, out) = output(x.shape)
        guard x.count > 0 else { return result }
        stream.dispatch(.groupNorm, storage: [out, region(x)] + affine(weight, bias),
                        push: [Self.u(c / groups * spatial), Self.u(spatial), Self.u(c / groups), Self.u(groups), Self.f(eps),
                               weight == nil ? 0 : 1, bias == nil ? 0 : 1, silu ? 1 : 0],
                        groups: Self.grid(n * groups, width: 1))
        return result
    }

    public func layerNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, eps: Float) -> Tensor {
        let width = x.shape.last!
        let (result, out) = output(x.shape)
        guard x.count > 0 else { return result }
        stream.dispatch(.layerNorm, storage: [out, region(x)] + affine(weight, bias),
                        push: [Self.u(width), Self.f(eps), weight == nil ? 0 : 1, bias == nil ? 0 : 1],
                        groups: Self.grid(x.count / width, width: 1))
        return result
    }

    public func softmax(_ x: Tensor) -> Tensor {
        let width = x.shape.last!
        let (result, out) = output(x.shape)
        guard x.count > 0 else { return result }
        stream.dispatch(.softmax, storage: [out, region(x)], push: [Self.u(width)],
                        groups: Self.grid(x.count / width, width: 1))
        return result
    }

    /// Bindings 2 and 3: the affine weight and bias (a placeholder where absent; the kernel is told).
    private func affine(_ weight: Tensor?, _ bias: Tensor?) -> [DeviceRegion?] {
        [weight, bias].map { tensor in tensor.map { region($0) } }
    }
}
