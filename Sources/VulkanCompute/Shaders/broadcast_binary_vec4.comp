#version 450
// Fast path of add / multiply with broadcasting, four elements per invocation and no integer division: the
// host collapses the shapes to [d0, d1, d2] with d2 a multiple of 4, and the grid is (d2/4, d1, d0).
// a is read as RGBA32F texels; b (strides s0, s1 and 0 or 1 innermost) through the R32F view.
layout(local_size_x = 64) in;
layout(std430, binding = 0) writeonly buffer Out { vec4 o[]; };
layout(binding = 4) uniform samplerBuffer A;
layout(binding = 5) uniform samplerBuffer B;
layout(push_constant) uniform Params { uint d1; uint d2v; uint s0; uint s1; uint s2; uint aOffset; uint bOffset; uint multiply; } p;

void main() {
    uint x = gl_GlobalInvocationID.x, i1 = gl_GlobalInvocationID.y, i0 = gl_GlobalInvocationID.z;
    if (x >= p.d2v) return;
    uint index = (i0 * p.d1 + i1) * p.d2v + x;
    vec4 a = texelFetch(A, int(p.aOffset + index));
    int bBase = int(p.bOffset + i0 * p.s0 + i1 * p.s1 + 4u * x * p.s2);
    vec4 b;
    if (p.s2 == 0u) {
        b = vec4(texelFetch(B, bBase).x);
    } else {
        b = vec4(texelFetch(B, bBase).x, texelFetch(B, bBase + 1).x, texelFetch(B, bBase + 2).x, texelFetch(B, bBase + 3).x);
    }
    o[index] = p.multiply != 0u ? a * b : a + b;
}
