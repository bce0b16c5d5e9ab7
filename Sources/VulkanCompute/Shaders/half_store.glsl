// fp32 → fp16 rounding shared by convert_precision.comp (the narrowing pass) and the kernels that store their fp16
// outputs themselves: one function, so both give the same bits. Round to nearest, ties to even; beyond the fp16
// range → ±infinity; NaN stays NaN. Done on the bits with integer arithmetic, so it is the same on every device
// whatever its float-conversion rounding mode, and exactly the host's `HalfPrecision.bits`.
// fp16 outputs travel packed two per 32-bit word (value 2i in the low half, 2i + 1 in the high half): a kernel
// stores whole words, so each invocation must own both values of every word it writes.
// A kernel with an fp16 store path takes the host's `outHalf` push constant also as specialization constant 0, so
// the pipeline it runs holds one store path only (llvmpipe runs both sides of a branch under masks).

layout(constant_id = 0) const bool OUT_HALF = false;

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

// The word holding values `low` (even index) and `high` (the next one), each rounded to fp16.
uint packedHalves(float low, float high) {
    return halfBits(floatBitsToUint(low)) | (halfBits(floatBitsToUint(high)) << 16);
}

// Four consecutive values (the first at an index that is a multiple of 4) as their two words.
uvec2 packedHalves(vec4 v) {
    return uvec2(packedHalves(v.x, v.y), packedHalves(v.z, v.w));
}
