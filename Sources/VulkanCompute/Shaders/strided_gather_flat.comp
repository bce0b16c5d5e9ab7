#version 450
// General fallback (one element per invocation, integer division per axis) of strided_gather.
// out (row-major over dims) = src[srcOffset + Σ (coordinate − low)·stride], or 0 where some coordinate falls
// outside [low, low + extent). Permutes axes, and also builds the zero-padded, re-laid-out operands of the
// GEMM and convolution kernels (NHWC input with a spatial border, transposed and padded weights).
layout(local_size_x = 64) in;
layout(std430, binding = 0) writeonly buffer Out { float o[]; };
layout(std430, binding = 1) readonly buffer Src { float src[]; };
layout(push_constant) uniform Params {
    uint count; uint rank; uint srcOffset;
    uint dims[6]; uint strides[6]; uint low[6]; uint extent[6];
} p;

void main() {
    uint i = gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 64u + gl_GlobalInvocationID.x;
    if (i >= p.count) return;
    uint rest = i, j = p.srcOffset;
    bool inside = true;
    for (int axis = int(p.rank) - 1; axis >= 0; --axis) {
        uint coordinate = rest % p.dims[axis];
        rest /= p.dims[axis];
        // Unsigned wrap-around makes coordinates below `low` huge, so one comparison checks both ends.
        uint shifted = coordinate - p.low[axis];
        inside = inside && shifted < p.extent[axis];
        j += shifted * p.strides[axis];
    }
    o[i] = inside ? src[j] : 0.0;
}
