#version 450
// One workgroup per row: max, Σ exp(x − max), normalise. A row with no finite maximum (all −inf) gives zeros,
// as in the CPU reference.
layout(local_size_x = 128) in;
layout(std430, binding = 0) writeonly buffer Out { float o[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(push_constant) uniform Params { uint width; } p;

shared float partial[128];

void main() {
    uint t = gl_LocalInvocationID.x;
    uint base = (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * p.width;
    float top = -1.0 / 0.0;
    for (uint i = t; i < p.width; i += 128u) top = max(top, x[base + i]);
    partial[t] = top;
    barrier();
    for (uint s = 64u; s > 0u; s >>= 1u) {
        if (t < s) partial[t] = max(partial[t], partial[t + s]);
        barrier();
    }
    top = partial[0];
    barrier();
    if (isinf(top) || isnan(top)) {
        for (uint i = t; i < p.width; i += 128u) o[base + i] = 0.0;
        return;
    }
    float sum = 0.0;
    for (uint i = t; i < p.width; i += 128u) sum += exp(x[base + i] - top);
    partial[t] = sum;
    barrier();
    for (uint s = 64u; s > 0u; s >>= 1u) {
        if (t < s) partial[t] += partial[t + s];
        barrier();
    }
    float total = partial[0];
    for (uint i = t; i < p.width; i += 128u) o[base + i] = exp(x[base + i] - top) / total;
}
