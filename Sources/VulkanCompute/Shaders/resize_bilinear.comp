#version 450
// Bilinear resize [P, inH, inW] → [P, h, w] as torch's F.interpolate(align_corners=False, antialias=False):
// source = (i + 1/2)·scale − 1/2 clamped at 0, scale = in/out (passed from the host as the CPU backend computes
// it), the upper tap clamped at the last pixel. Grid as resample2x.
layout(local_size_x = 64) in;
layout(std430, binding = 0) writeonly buffer Out { float o[]; };
layout(binding = 4) uniform samplerBuffer X;
layout(push_constant) uniform Params { uint h; uint w; uint inH; uint inW; uint xOffset; float scaleY; float scaleX; } p;

// The lower tap, the upper tap and the upper tap's weight. `precise` keeps the arithmetic unfused, as the CPU's.
void taps(uint i, float scale, uint size, out int low, out int high, out float weight) {
    precise float source = max(scale * (float(i) + 0.5) - 0.5, 0.0);
    low = min(int(source), int(size) - 1);
    high = min(low + 1, int(size) - 1);
    weight = source - float(low);
}

void main() {
    uint linear = gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 64u + gl_GlobalInvocationID.x;
    if (linear >= p.h * p.w) return;
    uint oy = linear / p.w, ox = linear % p.w;
    uint plane = gl_GlobalInvocationID.z;
    int base = int(p.xOffset + plane * p.inH * p.inW);
    int y0, y1, x0, x1;
    float wy, wx;
    taps(oy, p.scaleY, p.inH, y0, y1, wy);
    taps(ox, p.scaleX, p.inW, x0, x1, wx);
    int row0 = base + y0 * int(p.inW), row1 = base + y1 * int(p.inW);
    float top = (1.0 - wx) * texelFetch(X, row0 + x0).x + wx * texelFetch(X, row0 + x1).x;
    float bottom = (1.0 - wx) * texelFetch(X, row1 + x0).x + wx * texelFetch(X, row1 + x1).x;
    o[(plane * p.h + oy) * p.w + ox] = (1.0 - wy) * top + wy * bottom;
}
