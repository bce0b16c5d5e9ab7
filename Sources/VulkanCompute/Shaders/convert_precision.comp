#version 450
// Converts `count` values between fp32 and fp16 storage over flat regions: toHalf = 1 narrows fp32 → fp16 (round to
// nearest, ties to even; beyond the fp16 range → ±infinity; NaN stays NaN), toHalf = 0 widens fp16 → fp32 (exact).
// The rounding is done on the bits, with integer arithmetic, so it is the same on every device whatever its
// float-conversion rounding mode, and exactly the host's `HalfPrecision.bits`; the halves travel packed two per
// 32-bit word, so no 16-bit storage feature is needed. Narrowing: one invocation per output word (the pair of
// halves 2i, 2i + 1; a missing second value is written as 0, inside the region's padding). Widening: one per value.
layout(local_size_x = 64) in;
layout(std430, binding = 0) writeonly buffer Out { uint o[]; };
layout(std430, binding = 1) readonly buffer In { uint x[]; };
layout(push_constant) uniform Params { uint count; uint toHalf; } p;

uint halfBits(uint bits) {
    uint sign = (bits >> 16) & 0x8000u;
    int exponent = int((bits >> 23) & 0xFFu);
    uint mantissa = bits & 0x7FFFFFu;
    if (exponent == 0xFF) return sign | 0x7C00u | (mantissa != 0u ? 0x200u : 0u);
    int unbiased = exponent - 127;
    if (unbiased > 15) return sign | 0x7C00u;
    if (unbiased >= -14) {
        // Keep 10 of the 23 mantissa bits; a carry out of the mantissa bumps the exponent (up to infinity).
        uint h = (uint(unbiased + 15) << 10) | (mantissa >> 13);
        uint rest = mantissa & 0x1FFFu;
        return sign | (h + ((rest > 0x1000u || (rest == 0x1000u && (h & 1u) == 1u)) ? 1u : 0u));
    }
    if (unbiased < -25) return sign;
    // Subnormal: (1.mantissa) · 2^unbiased as a multiple of 2^-24.
    uint full = mantissa | 0x800000u;
    uint shift = uint(-unbiased - 1);
    uint h = full >> shift;
    uint rest = full & ((1u << shift) - 1u), halfway = 1u << (shift - 1u);
    return sign | (h + ((rest > halfway || (rest == halfway && (h & 1u) == 1u)) ? 1u : 0u));
}

uint floatBits(uint h) {
    uint sign = (h & 0x8000u) << 16;
    uint exponent = (h >> 10) & 0x1Fu, mantissa = h & 0x3FFu;
    if (exponent == 0x1Fu) return sign | 0x7F800000u | (mantissa << 13);
    if (exponent != 0u) return sign | ((exponent + 112u) << 23) | (mantissa << 13);
    if (mantissa == 0u) return sign;
    // Subnormal fp16: normalise the mantissa into an fp32 normal number.
    int msb = findMSB(mantissa);
    return sign | (uint(msb + 103) << 23) | ((mantissa << uint(23 - msb)) & 0x7FFFFFu);
}

void main() {
    uint i = gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 64u + gl_GlobalInvocationID.x;
    if (p.toHalf != 0u) {
        if (2u * i >= p.count) return;
        uint low = halfBits(x[2u * i]);
        uint high = 2u * i + 1u < p.count ? halfBits(x[2u * i + 1u]) : 0u;
        o[i] = low | (high << 16);
    } else {
        if (i >= p.count) return;
        o[i] = floatBits((x[i >> 1] >> ((i & 1u) * 16u)) & 0xFFFFu);
    }
}
