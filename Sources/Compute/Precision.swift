/// The precision a model stores its GEMM and convolution weights and its activations in (`--precision`,
/// `precision:` in belm.yml), and the precision of one tensor's storage (`Tensor.precision`). fp16 halves their
/// memory; every product still accumulates in fp32, normalization statistics and softmax are computed in fp32,
/// and the samplers' states stay fp32 (models convert at entry and exit). fp32 is the default: exact-inversion
/// work wants it.
public enum Precision: String, Sendable, Codable, CaseIterable, Hashable {
    case fp32, fp16

    /// The one default, for the command line and the site config alike.
    public static let standard = Precision.fp32

    /// Bytes per stored value.
    public var bytes: Int { self == .fp32 ? 4 : 2 }

    /// `value` as this precision stores it: unchanged in fp32, rounded to the nearest binary16 (ties to even) in fp16.
    public func stored(_ value: Float) -> Float { self == .fp32 ? value : HalfPrecision.rounded(value) }

    /// The precision an op stores its output at: fp16 when any of its activation inputs is stored in fp16. Callers
    /// pass the activations only, never weights, biases or norm affine parameters, so that an fp32 VAE sharing a
    /// backend with an fp16 UNet stays fp32, and an fp16 UNet's fp32 parameters do not widen its activations.
    public static func propagated(_ activations: [Tensor]) -> Precision {
        activations.contains { $0.precision == .fp16 } ? .fp16 : .fp32
    }

    public static func propagated(_ activations: Tensor...) -> Precision { propagated(activations) }
}

/// IEEE 754 binary16 conversions done on the host (the device's `packHalf2x16` leaves the rounding to the driver).
public enum HalfPrecision {
    /// The binary16 nearest to `value` (ties to even), as its bit pattern; out-of-range values become ±infinity.
    public static func bits(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16((bits >> 16) & 0x8000)
        let exponent = Int((bits >> 23) & 0xFF)
        let mantissa = bits & 0x7F_FFFF
        if exponent == 0xFF { return sign | 0x7C00 | (mantissa != 0 ? 0x200 : 0) }  // infinity, NaN
        let unbiased = exponent - 127
        if unbiased > 15 { return sign | 0x7C00 }
        if unbiased >= -14 {
            // Normal: keep 10 of 23 mantissa bits, rounding the 13 dropped ones to nearest, ties to even; a carry
            // out of the mantissa correctly bumps the exponent (up to infinity).
            let half = UInt32(unbiased + 15) << 10 | (mantissa >> 13)
            let rest = mantissa & 0x1FFF
            let rounded = half + (rest > 0x1000 || (rest == 0x1000 && half & 1 == 1) ? 1 : 0)
            return sign | UInt16(rounded)
        }
        if unbiased < -25 { return sign }
        // Subnormal: the value is (1.mantissa) · 2^unbiased = m · 2^-24 with m shifted into place.
        let full = mantissa | 0x80_0000
        let shift = UInt32(-unbiased - 14 + 13)
        let half = full >> shift
        let rest = full & ((1 << shift) - 1), halfway = UInt32(1) << (shift - 1)
        let rounded = half + (rest > halfway || (rest == halfway && half & 1 == 1) ? 1 : 0)
        return sign | UInt16(rounded)
    }

    /// The value of a binary16 bit pattern.
    public static func value(_ bits: UInt16) -> Float {
        let sign: Float = bits & 0x8000 != 0 ? -1 : 1
        let exponent = Int((bits >> 10) & 0x1F), mantissa = Float(bits & 0x3FF)
        if exponent == 0x1F { return mantissa == 0 ? sign * .infinity : .nan }
        if exponent == 0 { return sign * mantissa * 0x1p-24 }
        return sign * (1 + mantissa / 1024) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
    }

    /// `value` rounded to the nearest binary16 (what an fp16 weight holds).
    public static func rounded(_ value: Float) -> Float { self.value(bits(value)) }
}
