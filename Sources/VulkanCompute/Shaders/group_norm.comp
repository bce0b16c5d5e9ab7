#version 450
// One workgroup per (sample, group): two-pass mean and variance over the group's channels × positions, then
// normalise, apply the per-channel affine and optionally SiLU. The tree reduction in shared memory does not
// depend on the subgroup size. Inputs come through texel views (llvmpipe gathers them in vector registers):
// four at a time through the RGBA32F view when `vectorised` (group size and plane size multiples of 4), else one
// at a time through the R32F view.
layout(local_size_x = 128) in;
layout(std430, binding = 0) writeonly buffer OutV { vec4 ov[]; };
layout(std430, binding = 0) writeonly buffer OutS { float os[]; };
layout(binding = 4) uniform samplerBuffer XV;
layout(binding = 5) uniform samplerBuffer XS;
layout(binding = 6) uniform samplerBuffer Gamma;
layout(binding = 7) uniform samplerBuffer Beta;
layout(push_constant) uniform Params {
    uint groupSize; uint spatial; uint channelsPerGroup; uint groups; float eps; uint hasWeight; uint hasBias; uint silu;
    uint vectorised; uint xTexel; uint xScalar; uint gammaOffset; uint betaOffset;
} p;

shared float partial[128];

float workgroupSum(float v) {
    uint t = gl_LocalInvocationID.x;
    partial[t] = v;
    barrier();
    for (uint s = 64u; s > 0u; s >>= 1u) {
        if (t < s) partial[t] += partial[t + s];
        barrier();
    }
    float total = partial[0];
    barrier();
    return total;
}

float affine(float y, uint channel) {
    if (p.hasWeight != 0u) y *= texelFetch(Gamma, int(p.gammaOffset + channel)).x;
    if (p.hasBias != 0u) y += texelFetch(Beta, int(p.betaOffset + channel)).x;
    if (p.silu != 0u) y = y / (1.0 + exp(-y));
    return y;
}

void main() {
    uint t = gl_LocalInvocationID.x;
    uint instance = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
    uint base = instance * p.groupSize;
    uint firstChannel = (instance % p.groups) * p.channelsPerGroup;
    float n = float(p.groupSize);
    if (p.vectorised != 0u) {
        uint count4 = p.groupSize / 4u;
        int b4 = int(p.xTexel + base / 4u);
        vec4 sum = vec4(0.0);
        for (uint i = t; i < count4; i += 128u) sum += texelFetch(XV, b4 + int(i));
        float mean = workgroupSum(sum.x + sum.y + sum.z + sum.w) / n;
        vec4 squares = vec4(0.0);
        for (uint i = t; i < count4; i += 128u) { vec4 d = texelFetch(XV, b4 + int(i)) - mean; squares += d * d; }
        float inverse = inversesqrt(workgroupSum(squares.x + squares.y + squares.z + squares.w) / n + p.eps);
        for (uint i = t; i < count4; i += 128u) {
            uint channel = firstChannel + (4u * i) / p.spatial;
            vec4 y = (texelFetch(XV, b4 + int(i)) - mean) * inverse;
            ov[base / 4u + i] = vec4(affine(y.x, channel), affine(y.y, channel), affine(y.z, channel), affine(y.w, channel));
        }
    } else {
        int b1 = int(p.xScalar + base);
        float sum = 0.0;
        for (uint i = t; i < p.groupSize; i += 128u) sum += texelFetch(XS, b1 + int(i)).x;
        float mean = workgroupSum(sum) / n;
        float squares = 0.0;
        for (uint i = t; i < p.groupSize; i += 128u) { float d = texelFetch(XS, b1 + int(i)).x - mean; squares += d * d; }
        float inverse = inversesqrt(workgroupSum(squares) / n + p.eps);
        for (uint i = t; i < p.groupSize; i += 128u) {
            os[base + i] = affine((texelFetch(XS, b1 + int(i)).x - mean) * inverse, firstChannel + i / p.spatial);
        }
    }
}
