#version 450
// One workgroup per (sample, group): two-pass mean and variance over the group's channels × positions, then
// normalise, apply the per-channel affine and optionally SiLU. The tree reduction in shared memory does not
// depend on the subgroup size.
layout(local_size_x = 128) in;
layout(std430, binding = 0) writeonly buffer Out { float o[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 2) readonly buffer Gamma { float gamma[]; };
layout(std430, binding = 3) readonly buffer Beta { float beta[]; };
layout(push_constant) uniform Params {
    uint groupSize; uint spatial; uint channelsPerGroup; uint groups; float eps; uint hasWeight; uint hasBias; uint silu;
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

void main() {
    uint t = gl_LocalInvocationID.x;
    uint instance = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
    uint base = instance * p.groupSize;
    uint group = instance % p.groups;
    float sum = 0.0;
    for (uint i = t; i < p.groupSize; i += 128u) sum += x[base + i];
    float mean = workgroupSum(sum) / float(p.groupSize);
    float squares = 0.0;
    for (uint i = t; i < p.groupSize; i += 128u) { float d = x[base + i] - mean; squares += d * d; }
    float inverse = inversesqrt(workgroupSum(squares) / float(p.groupSize) + p.eps);
    for (uint i = t; i < p.groupSize; i += 128u) {
        uint channel = group * p.channelsPerGroup + i / p.spatial;
        float y = (x[base + i] - mean) * inverse;
        if (p.hasWeight != 0u) y *= gamma[channel];
        if (p.hasBias != 0u) y += beta[channel];
        if (p.silu != 0u) y = y / (1.0 + exp(-y));
        o[base + i] = y;
    }
}
