#version 450
// dst[dstOffset + r·dstStride + c] = src[srcOffset + r·srcStride + c]: concat and slice along any axis.
layout(local_size_x = 64) in;
layout(std430, binding = 0) writeonly buffer Dst { float dst[]; };
layout(std430, binding = 1) readonly buffer Src { float src[]; };
layout(push_constant) uniform Params { uint count; uint width; uint srcOffset; uint srcStride; uint dstOffset; uint dstStride; } p;

void main() {
    uint i = gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 64u + gl_GlobalInvocationID.x;
    if (i >= p.count) return;
    uint r = i / p.width, c = i % p.width;
    dst[p.dstOffset + r * p.dstStride + c] = src[p.srcOffset + r * p.srcStride + c];
}
