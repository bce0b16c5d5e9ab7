#version 450
// Max (mode 0) or average (mode 1) pooling [P, inH, inW] → [P, h, w] over kh × kw windows at `stride` with
// `pad` on every side. Padded positions never count: the max skips them, the average divides by the number of
// input positions inside the window (count_include_pad=False). x (folded into y past the grid limit) runs over
// one output plane, z over planes; input read through the R32F view.
layout(local_size_x = 64) in;
layout(std430, binding = 0) writeonly buffer Out { float o[]; };
layout(binding = 4) uniform samplerBuffer X;
layout(push_constant) uniform Params {
    uint mode; uint h; uint w; uint inH; uint inW; uint xOffset; uint kh; uint kw; uint stride; uint pad;
} p;

void main() {
    uint linear = gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 64u + gl_GlobalInvocationID.x;
    if (linear >= p.h * p.w) return;
    uint oy = linear / p.w, ox = linear % p.w;
    uint plane = gl_GlobalInvocationID.z;
    int base = int(p.xOffset + plane * p.inH * p.inW);
    int top = int(oy * p.stride) - int(p.pad), left = int(ox * p.stride) - int(p.pad);
    int y0 = max(top, 0), y1 = min(top + int(p.kh), int(p.inH));
    int x0 = max(left, 0), x1 = min(left + int(p.kw), int(p.inW));
    float v = p.mode == 0u ? uintBitsToFloat(0xff800000u) : 0.0;
    for (int y = y0; y < y1; ++y) {
        for (int x = x0; x < x1; ++x) {
            float t = texelFetch(X, base + y * int(p.inW) + x).x;
            v = p.mode == 0u ? max(v, t) : v + t;
        }
    }
    if (p.mode == 1u) v /= float((y1 - y0) * (x1 - x0));
    o[(plane * p.h + oy) * p.w + ox] = v;
}
