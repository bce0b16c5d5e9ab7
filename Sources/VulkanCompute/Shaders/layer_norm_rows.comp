#version 450
#extension GL_GOOGLE_include_directive : require
// Layer norm with one invocation per row (many rows, width a multiple of 4): sequential two-pass statistics
// over vec4 texel reads, no shared memory or barriers (see softmax_rows.comp for why). With `outHalf` the output
// is stored as fp16 (half_store.glsl): each vec4 is two whole words.
layout(local_size_x = 8) in;
layout(std430, binding = 0) writeonly buffer Out { vec4 o[]; };
layout(std430, binding = 0) writeonly buffer OutH { uvec2 oh[]; };
layout(binding = 4) uniform samplerBuffer X;
layout(binding = 6) uniform samplerBuffer Gamma;
layout(binding = 7) uniform samplerBuffer Beta;
layout(push_constant) uniform Params {
    uint width4; uint rows; uint xTexel; float eps; uint hasWeight; uint hasBias; uint gammaTexel; uint betaTexel; uint outHalf;
} p;

#include "half_store.glsl"

void main() {
    uint row = gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 8u + gl_GlobalInvocationID.x;
    if (row >= p.rows) return;
    int base = int(p.xTexel + row * p.width4);
    float n = float(4u * p.width4);
    vec4 sum = vec4(0.0);
    for (int i = 0; i < int(p.width4); ++i) sum += texelFetch(X, base + i);
    float mean = (sum.x + sum.y + sum.z + sum.w) / n;
    vec4 squares = vec4(0.0);
    for (int i = 0; i < int(p.width4); ++i) { vec4 d = texelFetch(X, base + i) - mean; squares += d * d; }
    float inverse = inversesqrt((squares.x + squares.y + squares.z + squares.w) / n + p.eps);
    for (int i = 0; i < int(p.width4); ++i) {
        vec4 y = (texelFetch(X, base + i) - mean) * inverse;
        if (p.hasWeight != 0u) y *= texelFetch(Gamma, int(p.gammaTexel) + i);
        if (p.hasBias != 0u) y += texelFetch(Beta, int(p.betaTexel) + i);
        if (OUT_HALF) oh[row * p.width4 + uint(i)] = packedHalves(y);
        else o[row * p.width4 + uint(i)] = y;
    }
}
