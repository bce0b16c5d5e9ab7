#version 450
// out[r, d] = table[indices[r], d]. Grid (width, rows); the table is read through the R32F view.
layout(local_size_x = 64) in;
layout(std430, binding = 0) writeonly buffer Out { float o[]; };
layout(std430, binding = 1) readonly buffer Indices { uint indices[]; };
layout(binding = 4) uniform samplerBuffer Table;
layout(push_constant) uniform Params { uint width; uint tableOffset; } p;

void main() {
    uint d = gl_GlobalInvocationID.x, r = gl_GlobalInvocationID.y;
    if (d >= p.width) return;
    o[r * p.width + d] = texelFetch(Table, int(p.tableOffset + indices[r] * p.width + d)).x;
}
