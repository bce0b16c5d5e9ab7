#version 450
#extension GL_GOOGLE_include_directive : require
// Fast path of add / multiply with broadcasting, four elements per invocation and no integer division: the
// host collapses the shapes to [d0, d1, d2] with d2 a multiple of 4; x (folded into y past the grid limit) runs
// over d1·d2/4 and z over d0, so a short last axis does not leave workgroups idle.
// a is read as RGBA32F texels; b (strides s0, s1 and 0 or 1 innermost) through the R32F view. With `outHalf` the
// output is stored as fp16 (half_store.glsl): the four values are two whole words.
layout(local_size_x = 64) in;
layout(std430, binding = 0) writeonly buffer Out { vec4 o[]; };
layout(std430, binding = 0) writeonly buffer OutH { uvec2 oh[]; };
layout(binding = 4) uniform samplerBuffer A;
layout(binding = 5) uniform samplerBuffer B;
layout(push_constant) uniform Params { uint d1; uint d2v; uint s0; uint s1; uint s2; uint aOffset; uint bOffset; uint multiply; uint inner; uint outHalf; } p;

#include "half_store.glsl"

void main() {
    uint linear = gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 64u + gl_GlobalInvocationID.x;
    if (linear >= p.inner) return;
    uint i0 = gl_GlobalInvocationID.z, i1 = linear / p.d2v, x = linear % p.d2v;
    uint index = (i0 * p.d1 + i1) * p.d2v + x;
    vec4 a = texelFetch(A, int(p.aOffset + index));
    int bBase = int(p.bOffset + i0 * p.s0 + i1 * p.s1 + 4u * x * p.s2);
    vec4 b;
    if (p.s2 == 0u) {
        b = vec4(texelFetch(B, bBase).x);
    } else {
        b = vec4(texelFetch(B, bBase).x, texelFetch(B, bBase + 1).x, texelFetch(B, bBase + 2).x, texelFetch(B, bBase + 3).x);
    }
    vec4 r = p.multiply != 0u ? a * b : a + b;
    if (OUT_HALF) oh[index] = packedHalves(r);
    else o[index] = r;
}
