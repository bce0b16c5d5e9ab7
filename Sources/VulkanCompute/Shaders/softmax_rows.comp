#version 450
#extension GL_GOOGLE_include_directive : require
// Softmax with one invocation per row, for many rows of a width that is a multiple of 4: three sequential
// passes of vec4 texel reads and no shared memory or barriers, which llvmpipe runs far faster than the
// workgroup reduction of softmax.comp. A row with no finite maximum gives zeros, as in the CPU reference.
// With `outHalf` the output is stored as fp16 (half_store.glsl): each vec4 is two whole words.
layout(local_size_x = 8) in;
layout(std430, binding = 0) writeonly buffer Out { vec4 o[]; };
layout(std430, binding = 0) writeonly buffer OutH { uvec2 oh[]; };
layout(binding = 4) uniform samplerBuffer X;
layout(push_constant) uniform Params { uint width4; uint rows; uint xTexel; uint outHalf; } p;

#include "half_store.glsl"

void store(uint index, vec4 v) {
    if (OUT_HALF) oh[index] = packedHalves(v);
    else o[index] = v;
}

void main() {
    uint row = gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 8u + gl_GlobalInvocationID.x;
    if (row >= p.rows) return;
    int base = int(p.xTexel + row * p.width4);
    uint outBase = row * p.width4;
    vec4 top4 = vec4(-1.0 / 0.0);
    for (int i = 0; i < int(p.width4); ++i) top4 = max(top4, texelFetch(X, base + i));
    float top = max(max(top4.x, top4.y), max(top4.z, top4.w));
    if (isinf(top) || isnan(top)) {
        for (uint i = 0u; i < p.width4; ++i) store(outBase + i, vec4(0.0));
        return;
    }
    vec4 sum = vec4(0.0);
    for (int i = 0; i < int(p.width4); ++i) sum += exp(texelFetch(X, base + i) - top);
    float total = sum.x + sum.y + sum.z + sum.w;
    for (int i = 0; i < int(p.width4); ++i) store(outBase + uint(i), exp(texelFetch(X, base + i) - top) / total);
}
