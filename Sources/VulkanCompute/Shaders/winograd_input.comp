#version 450
#extension GL_EXT_control_flow_attributes : require
// Winograd F(2×2, 3×3) input transform, for 3×3 stride-1 convolutions on the CPU device: each invocation takes
// the 4 × 4 input patch of one 2 × 2 output tile, 4 channels at a time, from the padded NHWC copy (RGBA32F
// texels) and writes V = Bᵀ d B, its 16 values at [position][tile][Cip] (vec4 over channels): the left operands of
// 16 matrix products with the transformed weights. A partial tile at the bottom or right edge clamps its reads
// to the last row or column; those values reach only the outputs past the edge, which are not written.
layout(local_size_x = 64) in;
layout(std430, binding = 0) writeonly buffer Out { vec4 v[]; };
layout(binding = 4) uniform samplerBuffer X;
layout(push_constant) uniform Params { uint tiles; uint tilesX; uint tilesY; uint Hp; uint Wp; uint Cip4; uint xTexel; } p;

void main() {
    uint linear = gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 64u + gl_GlobalInvocationID.x;
    if (linear >= p.tiles * p.Cip4) return;
    uint c4 = linear % p.Cip4, tile = linear / p.Cip4;
    uint tx = tile % p.tilesX, rest = tile / p.tilesX;
    uint ty = rest % p.tilesY, n = rest / p.tilesY;
    vec4 d[4][4];
    [[unroll]] for (uint i = 0u; i < 4u; ++i) {
        uint y = min(2u * ty + i, p.Hp - 1u);
        [[unroll]] for (uint j = 0u; j < 4u; ++j) {
            uint x = min(2u * tx + j, p.Wp - 1u);
            d[i][j] = texelFetch(X, int(p.xTexel + ((n * p.Hp + y) * p.Wp + x) * p.Cip4 + c4));
        }
    }
    // Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1], applied down the columns, then along the rows.
    vec4 t[4][4];
    [[unroll]] for (uint j = 0u; j < 4u; ++j) {
        t[0][j] = d[0][j] - d[2][j];
        t[1][j] = d[1][j] + d[2][j];
        t[2][j] = d[2][j] - d[1][j];
        t[3][j] = d[1][j] - d[3][j];
    }
    uint stride = p.tiles * p.Cip4, base = tile * p.Cip4 + c4;
    [[unroll]] for (uint i = 0u; i < 4u; ++i) {
        v[base + (4u * i) * stride] = t[i][0] - t[i][2];
        v[base + (4u * i + 1u) * stride] = t[i][1] + t[i][2];
        v[base + (4u * i + 2u) * stride] = t[i][2] - t[i][1];
        v[base + (4u * i + 3u) * stride] = t[i][1] - t[i][3];
    }
}
