#version 450
// mode 0: nearest 2× upsampling [P, H, W] → [P, 2H, 2W]; mode 1: 2×2 mean pooling [P, H, W] → [P, H/2, W/2].
// x (folded into y past the grid limit) runs over one output plane, z over planes; input read through the R32F view.
layout(local_size_x = 64) in;
layout(std430, binding = 0) writeonly buffer Out { float o[]; };
layout(binding = 4) uniform samplerBuffer X;
layout(push_constant) uniform Params { uint mode; uint h; uint w; uint inH; uint inW; uint xOffset; } p;

void main() {
    uint linear = gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 64u + gl_GlobalInvocationID.x;
    if (linear >= p.h * p.w) return;
    uint oy = linear / p.w, ox = linear % p.w;
    uint plane = gl_GlobalInvocationID.z;
    int base = int(p.xOffset + plane * p.inH * p.inW);
    float v;
    if (p.mode == 0u) {
        v = texelFetch(X, base + int((oy >> 1u) * p.inW + (ox >> 1u))).x;
    } else {
        int k = base + int((2u * oy) * p.inW + 2u * ox);
        int w = int(p.inW);
        v = 0.25 * (texelFetch(X, k).x + texelFetch(X, k + 1).x + texelFetch(X, k + w).x + texelFetch(X, k + w + 1).x);
    }
    o[(plane * p.h + oy) * p.w + ox] = v;
}
