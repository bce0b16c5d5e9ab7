#version 450
#extension GL_GOOGLE_include_directive : require
// out = out·accumulate + Σ coefficient·term, up to three terms per dispatch; longer sums chain dispatches
// with accumulate = 1, adding terms in the same order as the CPU reference. Four elements per invocation:
// terms are read as RGBA32F texels (regions are 16-byte aligned and padded to whole texels), the output as vec4.
// With `outHalf` (a single dispatch only: a chained one would add onto rounded values) the output is stored as fp16
// (half_store.glsl): the four values are two whole words.
layout(local_size_x = 64) in;
layout(std430, binding = 0) buffer Out { vec4 o[]; };
layout(std430, binding = 0) writeonly buffer OutH { uvec2 oh[]; };
layout(binding = 4) uniform samplerBuffer T0;
layout(binding = 5) uniform samplerBuffer T1;
layout(binding = 6) uniform samplerBuffer T2;
layout(push_constant) uniform Params { uint count4; uint terms; uint accumulate; float c0; float c1; float c2; uint off0; uint off1; uint off2; uint outHalf; } p;

#include "half_store.glsl"

void main() {
    uint i = gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 64u + gl_GlobalInvocationID.x;
    if (i >= p.count4) return;
    precise vec4 v = p.accumulate != 0u ? o[i] : vec4(0.0);
    v += p.c0 * texelFetch(T0, int(p.off0 + i));
    if (p.terms > 1u) v += p.c1 * texelFetch(T1, int(p.off1 + i));
    if (p.terms > 2u) v += p.c2 * texelFetch(T2, int(p.off2 + i));
    if (OUT_HALF) oh[i] = packedHalves(v);
    else o[i] = v;
}
