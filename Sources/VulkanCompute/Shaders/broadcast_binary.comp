#version 450
// out[i] = a[i] (+ or ·) b[j], where j follows numpy broadcasting: the host collapses the shapes to at most
// six axes and passes b's strides, 0 on broadcast axes.
layout(local_size_x = 64) in;
layout(std430, binding = 0) writeonly buffer Out { float o[]; };
layout(std430, binding = 1) readonly buffer A { float a[]; };
layout(std430, binding = 2) readonly buffer B { float b[]; };
layout(push_constant) uniform Params { uint count; uint rank; uint multiply; uint dims[6]; uint bStrides[6]; } p;

void main() {
    uint i = gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 64u + gl_GlobalInvocationID.x;
    if (i >= p.count) return;
    uint rest = i, j = 0u;
    for (int axis = int(p.rank) - 1; axis >= 0; --axis) {
        uint coordinate = rest % p.dims[axis];
        rest /= p.dims[axis];
        j += coordinate * p.bStrides[axis];
    }
    o[i] = p.multiply != 0u ? a[i] * b[j] : a[i] + b[j];
}
