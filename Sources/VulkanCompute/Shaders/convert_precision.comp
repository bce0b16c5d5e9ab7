#version 450
#extension GL_GOOGLE_include_directive : require
// Converts `count` values between fp32 and fp16 storage over flat regions: toHalf = 1 narrows fp32 → fp16 (round to
// nearest, ties to even, by `halfBits` of half_store.glsl, the function the kernels that store fp16 themselves use),
// toHalf = 0 widens fp16 → fp32 (exact). The halves travel packed two per 32-bit word, so no 16-bit storage feature
// is needed. Narrowing: one invocation per output word (the pair of halves 2i, 2i + 1; a missing second value is
// written as 0, inside the region's padding). Widening: one per value.
layout(local_size_x = 64) in;
layout(std430, binding = 0) writeonly buffer Out { uint o[]; };
layout(std430, binding = 1) readonly buffer In { uint x[]; };
layout(push_constant) uniform Params { uint count; uint toHalf; } p;

#include "half_store.glsl"

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
