#version 450
// out[r, d] = table[indices[r], d].
layout(local_size_x = 64) in;
layout(std430, binding = 0) writeonly buffer Out { float o[]; };
layout(std430, binding = 1) readonly buffer Table { float table[]; };
layout(std430, binding = 2) readonly buffer Indices { uint indices[]; };
layout(push_constant) uniform Params { uint count; uint width; } p;

void main() {
    uint i = gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 64u + gl_GlobalInvocationID.x;
    if (i >= p.count) return;
    uint r = i / p.width, d = i % p.width;
    o[i] = table[indices[r] * p.width + d];
}
