#version 450
// One workgroup per row: two-pass mean and variance over the last axis, then the affine.
layout(local_size_x = 128) in;
layout(std430, binding = 0) writeonly buffer Out { float o[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 2) readonly buffer Gamma { float gamma[]; };
layout(std430, binding = 3) readonly buffer Beta { float beta[]; };
layout(push_constant) uniform Params { uint width; float eps; uint hasWeight; uint hasBias; } p;

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
    uint base = (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * p.width;
    float sum = 0.0;
    for (uint i = t; i < p.width; i += 128u) sum += x[base + i];
    float mean = workgroupSum(sum) / float(p.width);
    float squares = 0.0;
    for (uint i = t; i < p.width; i += 128u) { float d = x[base + i] - mean; squares += d * d; }
    float inverse = inversesqrt(workgroupSum(squares) / float(p.width) + p.eps);
    for (uint i = t; i < p.width; i += 128u) {
        float y = (x[base + i] - mean) * inverse;
        if (p.hasWeight != 0u) y *= gamma[i];
        if (p.hasBias != 0u) y += beta[i];
        o[base + i] = y;
    }
}
