#version 450
// dst[dstOffset + r·dstStride + c] = src[srcOffset + r·srcStride + c]: concat and slice along any axis.
// Grid (⌈width/4⌉, rows in this layer, layers): four elements per invocation, read as one RGBA32F texel when
// `srcAligned` (source offset, stride and width multiples of 4), else through the R32F view (the source offset is
// in floats from the start of its block); stored as one vec4 when `aligned` (width, destination stride and
// offset multiples of 4), else one by one.
layout(local_size_x = 64) in;
layout(std430, binding = 0) writeonly buffer DstV { vec4 dv[]; };
layout(std430, binding = 0) writeonly buffer DstS { float ds[]; };
layout(binding = 4) uniform samplerBuffer Src;
layout(binding = 5) uniform samplerBuffer SrcV;
layout(push_constant) uniform Params {
    uint width; uint rows; uint rowsPerLayer; uint srcOffset; uint srcStride; uint dstOffset; uint dstStride; uint aligned;
    uint srcAligned;
} p;

void main() {
    uint c0 = gl_GlobalInvocationID.x * 4u;
    uint r = gl_GlobalInvocationID.z * p.rowsPerLayer + gl_GlobalInvocationID.y;
    if (c0 >= p.width || r >= p.rows) return;
    int s = int(p.srcOffset + r * p.srcStride + c0);
    vec4 v = p.srcAligned != 0u ? texelFetch(SrcV, s / 4)
        : vec4(texelFetch(Src, s).x, texelFetch(Src, s + 1).x, texelFetch(Src, s + 2).x, texelFetch(Src, s + 3).x);
    uint d = p.dstOffset + r * p.dstStride + c0;
    if (p.aligned != 0u) {
        dv[d / 4u] = v;
    } else {
        for (uint j = 0u; j < 4u; ++j) if (c0 + j < p.width) ds[d + j] = v[j];
    }
}
