#version 450
// mode 0: nearest 2× upsampling [P, H, W] → [P, 2H, 2W]; mode 1: 2×2 mean pooling [P, H, W] → [P, H/2, W/2].
// (P = N·C planes; `h`, `w` are the output's plane size, `inW` the input's row width.)
layout(local_size_x = 64) in;
layout(std430, binding = 0) writeonly buffer Out { float o[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(push_constant) uniform Params { uint count; uint mode; uint h; uint w; uint inH; uint inW; } p;

void main() {
    uint i = gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 64u + gl_GlobalInvocationID.x;
    if (i >= p.count) return;
    uint ox = i % p.w, rest = i / p.w;
    uint oy = rest % p.h, plane = rest / p.h;
    uint base = plane * p.inH * p.inW;
    if (p.mode == 0u) {
        o[i] = x[base + (oy / 2u) * p.inW + ox / 2u];
    } else {
        uint k = base + (2u * oy) * p.inW + 2u * ox;
        o[i] = 0.25 * (x[k] + x[k + 1u] + x[k + p.inW] + x[k + p.inW + 1u]);
    }
}
