#version 450
#extension GL_GOOGLE_include_directive : require
// Group norm with one invocation per (sample, group), for group and plane sizes that are multiples of 4:
// sequential two-pass statistics over vec4 texel reads, no shared memory or barriers (see softmax_rows.comp).
// Small workgroups (8) so that even a batch of one spreads over the CPU device's threads. With `outHalf` the output
// is stored as fp16 (half_store.glsl): each vec4 is two whole words.
layout(local_size_x = 8) in;
layout(std430, binding = 0) writeonly buffer Out { vec4 o[]; };
layout(std430, binding = 0) writeonly buffer OutH { uvec2 oh[]; };
layout(binding = 4) uniform samplerBuffer X;
layout(binding = 6) uniform samplerBuffer Gamma;
layout(binding = 7) uniform samplerBuffer Beta;
layout(push_constant) uniform Params {
    uint group4; uint spatial4; uint channelsPerGroup; uint groups; uint instances; float eps;
    uint hasWeight; uint hasBias; uint silu; uint xTexel; uint gammaScalar; uint betaScalar; uint outHalf;
} p;

#include "half_store.glsl"

void main() {
    uint instance = gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 8u + gl_GlobalInvocationID.x;
    if (instance >= p.instances) return;
    int base = int(p.xTexel + instance * p.group4);
    float n = float(4u * p.group4);
    vec4 sum = vec4(0.0);
    for (int i = 0; i < int(p.group4); ++i) sum += texelFetch(X, base + i);
    float mean = (sum.x + sum.y + sum.z + sum.w) / n;
    vec4 squares = vec4(0.0);
    for (int i = 0; i < int(p.group4); ++i) { vec4 d = texelFetch(X, base + i) - mean; squares += d * d; }
    float inverse = inversesqrt((squares.x + squares.y + squares.z + squares.w) / n + p.eps);
    uint firstChannel = (instance % p.groups) * p.channelsPerGroup;
    int i = 0;
    for (uint c = 0u; c < p.channelsPerGroup; ++c) {
        float g = p.hasWeight != 0u ? texelFetch(Gamma, int(p.gammaScalar + firstChannel + c)).x : 1.0;
        float b = p.hasBias != 0u ? texelFetch(Beta, int(p.betaScalar + firstChannel + c)).x : 0.0;
        for (uint s = 0u; s < p.spatial4; ++s, ++i) {
            vec4 y = (texelFetch(X, base + i) - mean) * inverse * g + b;
            if (p.silu != 0u) y = y / (1.0 + exp(-y));
            if (OUT_HALF) oh[instance * p.group4 + uint(i)] = packedHalves(y);
            else o[instance * p.group4 + uint(i)] = y;
        }
    }
}
