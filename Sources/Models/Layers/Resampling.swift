import Compute

/// diffusers' Downsample2D with a convolution: 3×3, stride 2. With padding 0 (the original DDPM models, the
/// VAE) diffusers pads the input by one zero row and column at the bottom and right only; here that padding is
/// the convolution's own, so no padded copy of the input is made.
struct Downsample2D {
    let conv: Conv2d

    init(_ p: ParameterLoader, channels: Int, padding: Int) throws {
        var conv = try Conv2d(p.scoped("conv"), inChannels: channels, outChannels: channels, kernel: 3, stride: 2, padding: padding)
        if padding == 0 { conv.padding = ConvPadding(before: 0, after: 1) }
        self.conv = conv
    }

    func callAsFunction(_ x: Tensor) -> Tensor { conv(x) }
}

/// diffusers' Upsample2D with a convolution: nearest-neighbour ×2, then a 3×3 convolution.
struct Upsample2D {
    let conv: Conv2d

    init(_ p: ParameterLoader, channels: Int) throws {
        conv = try Conv2d(p.scoped("conv"), inChannels: channels, outChannels: channels, kernel: 3, padding: 1)
    }

    func callAsFunction(_ x: Tensor) -> Tensor { conv(x.backend.upsampleNearest2x(x)) }
}
