#version 450
#extension GL_GOOGLE_include_directive : require
// copy_rows when source and destination are both whole texels (width, offsets and strides multiples of 4):
// one RGBA32F texel read and one vec4 store per invocation. A separate kernel rather than a branch in copy_rows
// because llvmpipe runs both sides of a branch under masks, so the branch would pay for the scalar path too.
// Grid (⌈width/4⌉, rows in this layer, layers); offsets and strides are in texels. With `outHalf` the destination
// is fp16 (half_store.glsl): each texel is two whole words.
layout(local_size_x = 64) in;
layout(std430, binding = 0) writeonly buffer Dst { vec4 dv[]; };
layout(std430, binding = 0) writeonly buffer DstH { uvec2 dh[]; };
layout(binding = 5) uniform samplerBuffer Src;
layout(push_constant) uniform Params {
    uint width4; uint rows; uint rowsPerLayer; uint srcOffset4; uint srcStride4; uint dstOffset4; uint dstStride4; uint outHalf;
} p;

#include "half_store.glsl"

void main() {
    uint c = gl_GlobalInvocationID.x;
    uint r = gl_GlobalInvocationID.z * p.rowsPerLayer + gl_GlobalInvocationID.y;
    if (c >= p.width4 || r >= p.rows) return;
    vec4 v = texelFetch(Src, int(p.srcOffset4 + r * p.srcStride4 + c));
    if (OUT_HALF) dh[p.dstOffset4 + r * p.dstStride4 + c] = packedHalves(v);
    else dv[p.dstOffset4 + r * p.dstStride4 + c] = v;
}
