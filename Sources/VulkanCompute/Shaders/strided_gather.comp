#version 450
#extension GL_GOOGLE_include_directive : require
// out (row-major over dims) = src[srcOffset + Σ (coordinate − low)·stride], or 0 where some coordinate falls
// outside [low, low + extent). Permutes axes, and builds the zero-padded, re-laid-out operands of the GEMM and
// convolution kernels (NHWC input with a spatial border, transposed and padded weights).
// Four consecutive outputs of the last axis per invocation, read through the R32F view; x (folded into y past
// the grid limit) runs over d[r−2] × ⌈d[r−1]/4⌉ and z over the outer axes, so integer division happens once per
// invocation, not per element. The host pads the rank to at least 3. With `outHalf` the output is stored as fp16
// (half_store.glsl), a word per pair: the host sets it only for an even last axis, where the pairs 2i, 2i + 1 lie
// in one invocation's four.
layout(local_size_x = 64) in;
layout(std430, binding = 0) writeonly buffer OutV { vec4 ov[]; };
layout(std430, binding = 0) writeonly buffer OutS { float os[]; };
layout(std430, binding = 0) writeonly buffer OutH { uint oh[]; };
layout(std430, binding = 0) writeonly buffer OutH4 { uvec2 oh4[]; };
layout(binding = 4) uniform samplerBuffer Src;
layout(push_constant) uniform Params {
    uint rank; uint srcOffset; uint lastIsVec4; uint chunks; uint inner;
    uint dims[6]; uint strides[6]; uint low[6]; uint extent[6]; uint outHalf;
} p;

#include "half_store.glsl"

void main() {
    uint r = p.rank;
    uint last = p.dims[r - 1u];
    uint linear = gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 64u + gl_GlobalInvocationID.x;
    if (linear >= p.inner) return;
    uint y = linear / p.chunks, c0 = (linear % p.chunks) * 4u;
    uint outer = gl_GlobalInvocationID.z;
    // Source offset and validity of every axis but the last.
    int base = int(p.srcOffset);
    bool inside = true;
    uint shifted = y - p.low[r - 2u];
    inside = inside && shifted < p.extent[r - 2u];
    base += int(shifted * p.strides[r - 2u]);
    uint rest = outer;
    for (int axis = int(r) - 3; axis >= 0; --axis) {
        uint coordinate = rest % p.dims[axis];
        rest /= p.dims[axis];
        uint s = coordinate - p.low[axis];
        inside = inside && s < p.extent[axis];
        base += int(s * p.strides[axis]);
    }
    vec4 v = vec4(0.0);
    uint lastLow = p.low[r - 1u], lastExtent = p.extent[r - 1u];
    int lastStride = int(p.strides[r - 1u]);
    for (uint j = 0u; j < 4u; ++j) {
        uint s = c0 + j - lastLow;
        if (inside && s < lastExtent && c0 + j < last) v[j] = texelFetch(Src, base + int(s) * lastStride).x;
    }
    uint index = (outer * p.dims[r - 2u] + y) * last + c0;
    if (OUT_HALF) {
        if (p.lastIsVec4 != 0u) oh4[index / 4u] = packedHalves(v);
        else for (uint j = 0u; j < 4u; j += 2u) if (c0 + j < last) oh[(index + j) / 2u] = packedHalves(v[j], v[j + 1u]);
    } else if (p.lastIsVec4 != 0u) {
        ov[index / 4u] = v;
    } else {
        for (uint j = 0u; j < 4u; ++j) if (c0 + j < last) os[index + j] = v[j];
    }
}
