#version 450
#extension GL_GOOGLE_include_directive : require
// Rows of width 2·half split into (h, g): out = h · gelu(g), diffusers' GEGLU. Grid (⌈half/4⌉, rows):
// four outputs per invocation, read through the R32F view; rows fold into z past the 65535 grid limit.
// With `outHalf` (only for an even half width, so that every word of packed halves lies in one invocation's
// outputs) the output is stored as fp16 (half_store.glsl), two whole words per invocation.
layout(local_size_x = 64) in;
layout(std430, binding = 0) writeonly buffer Out { float o[]; };
layout(std430, binding = 0) writeonly buffer OutH { uint oh[]; };
layout(binding = 4) uniform samplerBuffer X;
layout(push_constant) uniform Params { uint half_; uint xOffset; uint rowsPerLayer; uint rows; uint outHalf; } p;

#include "half_store.glsl"

vec4 erfApprox(vec4 v) {
    vec4 a = abs(v);
    vec4 t = 1.0 / (1.0 + 0.3275911 * a);
    vec4 poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
    return sign(v) * (1.0 - poly * exp(-a * a));
}

void main() {
    uint c0 = gl_GlobalInvocationID.x * 4u;
    uint row = gl_GlobalInvocationID.z * p.rowsPerLayer + gl_GlobalInvocationID.y;
    if (c0 >= p.half_ || row >= p.rows) return;
    int base = int(p.xOffset + row * 2u * p.half_ + c0);
    int h = int(p.half_);
    vec4 hv = vec4(texelFetch(X, base).x, texelFetch(X, base + 1).x, texelFetch(X, base + 2).x, texelFetch(X, base + 3).x);
    vec4 gv = vec4(texelFetch(X, base + h).x, texelFetch(X, base + h + 1).x, texelFetch(X, base + h + 2).x, texelFetch(X, base + h + 3).x);
    vec4 r = hv * (0.5 * gv * (1.0 + erfApprox(gv * 0.70710678118654752)));
    uint outBase = row * p.half_ + c0;
    if (OUT_HALF) {
        // outBase is even (half_ and c0 are), and an even half_ leaves each invocation its words' both values.
        for (uint j = 0u; j < 4u; j += 2u) if (c0 + j < p.half_) oh[(outBase + j) / 2u] = packedHalves(r[j], r[j + 1u]);
    } else {
        for (uint j = 0u; j < 4u; ++j) if (c0 + j < p.half_) o[outBase + j] = r[j];
    }
}
