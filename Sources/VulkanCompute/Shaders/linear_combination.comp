#version 450
// out = out·accumulate + Σ coefficient·term, up to three terms per dispatch; longer sums chain dispatches
// with accumulate = 1, adding terms in the same order as the CPU reference.
layout(local_size_x = 64) in;
layout(std430, binding = 0) buffer Out { float o[]; };
layout(std430, binding = 1) readonly buffer T0 { float t0[]; };
layout(std430, binding = 2) readonly buffer T1 { float t1[]; };
layout(std430, binding = 3) readonly buffer T2 { float t2[]; };
layout(push_constant) uniform Params { uint count; uint terms; uint accumulate; float c0; float c1; float c2; } p;

void main() {
    uint i = gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 64u + gl_GlobalInvocationID.x;
    if (i >= p.count) return;
    precise float v = p.accumulate != 0u ? o[i] : 0.0;
    v += p.c0 * t0[i];
    if (p.terms > 1u) v += p.c1 * t1[i];
    if (p.terms > 2u) v += p.c2 * t2[i];
    o[i] = v;
}
