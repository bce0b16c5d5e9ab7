#version 450
#extension GL_GOOGLE_include_directive : require
// Pointwise nonlinearities, four elements per invocation: 0 silu, 1 gelu (exact erf form), 2 quick gelu, 3 relu.
// The input is read as RGBA32F texels (regions are padded to whole texels). With `outHalf` the output is stored as
// fp16 (half_store.glsl): the four values are two whole words.
layout(local_size_x = 64) in;
layout(std430, binding = 0) writeonly buffer Out { vec4 o[]; };
layout(std430, binding = 0) writeonly buffer OutH { uvec2 oh[]; };
layout(binding = 4) uniform samplerBuffer X;
layout(push_constant) uniform Params { uint count4; uint kind; uint xOffset; uint outHalf; } p;

#include "half_store.glsl"

// GLSL has no erf; Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7).
vec4 erfApprox(vec4 v) {
    vec4 a = abs(v);
    vec4 t = 1.0 / (1.0 + 0.3275911 * a);
    vec4 poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
    return sign(v) * (1.0 - poly * exp(-a * a));
}

void main() {
    uint i = gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 64u + gl_GlobalInvocationID.x;
    if (i >= p.count4) return;
    vec4 v = texelFetch(X, int(p.xOffset + i));
    vec4 r;
    if (p.kind == 0u) r = v / (1.0 + exp(-v));
    else if (p.kind == 1u) r = 0.5 * v * (1.0 + erfApprox(v * 0.70710678118654752));
    else if (p.kind == 2u) r = v / (1.0 + exp(-1.702 * v));
    else r = max(v, vec4(0.0));
    if (OUT_HALF) oh[i] = packedHalves(r);
    else o[i] = r;
}
