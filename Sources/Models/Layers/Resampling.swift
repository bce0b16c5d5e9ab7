import Compute

/// diffusers' Downsample2D with a convolution: 3×3, stride 2. With padding 0 (the original DDPM models) the
/// input is first padded by one zero row and column at the bottom and right only, as diffusers does.
struct Downsample2D {
    let conv: Conv2d
    let asymmetricPadding: Bool

    init(_ p: ParameterLoader, channels: Int, padding: Int) throws {
        conv = try Conv2d(p.scoped("conv"), inChannels: channels, outChannels: channels, kernel: 3, stride: 2, padding: padding)
        asymmetricPadding = padding == 0
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        guard asymmetricPadding else { return conv(x) }
        let backend = x.backend
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let right = backend.concat([x, backend.zeros([n, c, h, 1])], axis: 3)
        return conv(backend.concat([right, backend.zeros([n, c, 1, w + 1])], axis: 2))
    }
}

/// diffusers' Upsample2D with a convolution: nearest-neighbour ×2, then a 3×3 convolution.
struct Upsample2D {
    let conv: Conv2d

    init(_ p: ParameterLoader, channels: Int) throws {
        conv = try Conv2d(p.scoped("conv"), inChannels: channels, outChannels: channels, kernel: 3, padding: 1)
    }

    func callAsFunction(_ x: Tensor) -> Tensor { conv(x.backend.upsampleNearest2x(x)) }
}
