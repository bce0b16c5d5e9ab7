#version 450
// The convolution input re-laid out from NCHW to NHWC with a zero border (`before` rows and columns at the top
// and left, `after` at the bottom and right) and channels padded to Cip
// (zeros), for rows a multiple of 4 wide: each invocation moves a 4-pixel × 4-channel block with four vec4
// texel reads and four vec4 stores (a 4 × 4 transpose in registers). The border itself is zero-filled by the
// host beforehand. x runs over (y, x/4, c/4) of one image (folded into y past the grid limit), z over images.
layout(local_size_x = 64) in;
layout(std430, binding = 0) writeonly buffer Out { vec4 o[]; };
layout(binding = 4) uniform samplerBuffer X;
layout(push_constant) uniform Params { uint C; uint H; uint W4; uint Cip4; uint before; uint after; uint xTexel; uint inner; } p;

void main() {
    uint linear = gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 64u + gl_GlobalInvocationID.x;
    if (linear >= p.inner) return;
    uint n = gl_GlobalInvocationID.z;
    uint c4 = linear % p.Cip4, rest = linear / p.Cip4;
    uint x4 = rest % p.W4, y = rest / p.W4;
    vec4 v[4];
    for (uint j = 0u; j < 4u; ++j) {
        uint channel = 4u * c4 + j;
        v[j] = channel < p.C ? texelFetch(X, int(p.xTexel + ((n * p.C + channel) * p.H + y) * p.W4 + x4)) : vec4(0.0);
    }
    uint Wp = 4u * p.W4 + p.before + p.after, Hp = p.H + p.before + p.after;
    uint base = ((n * Hp + y + p.before) * Wp + 4u * x4 + p.before) * p.Cip4 + c4;
    for (uint i = 0u; i < 4u; ++i) o[base + i * p.Cip4] = vec4(v[0][i], v[1][i], v[2][i], v[3][i]);
}
