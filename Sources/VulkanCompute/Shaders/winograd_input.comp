#version 450
#extension GL_EXT_control_flow_attributes : require
// Winograd F(4×4, 3×3) input transform, for 3×3 stride-1 convolutions on the CPU device: each invocation takes
// the 6 × 6 input patch of one 4 × 4 output tile, 4 channels at a time, from the padded NHWC copy (RGBA32F
// texels) and writes V = Bᵀ d B, its 36 values at [position][tile][Cip] (vec4 over channels): the left operands of
// 36 matrix products with the transformed weights. A partial tile at the bottom or right edge clamps its reads
// to the last row or column; those values reach only the outputs past the edge, which are not written.
layout(local_size_x = 64) in;
layout(std430, binding = 0) writeonly buffer Out { vec4 v[]; };
layout(binding = 4) uniform samplerBuffer X;
layout(push_constant) uniform Params { uint tiles; uint tilesX; uint tilesY; uint Hp; uint Wp; uint Cip4; uint xTexel; } p;

// Bᵀ d for one column d[0..5] (interpolation points 0, ±1, ±2 and ∞).
void transform(vec4 d0, vec4 d1, vec4 d2, vec4 d3, vec4 d4, vec4 d5, out vec4 t[6]) {
    t[0] = 4.0 * d0 - 5.0 * d2 + d4;
    t[1] = d3 + d4 - 4.0 * (d1 + d2);
    t[2] = d4 - d3 + 4.0 * (d1 - d2);
    t[3] = d4 - d2 + 2.0 * (d3 - d1);
    t[4] = d4 - d2 + 2.0 * (d1 - d3);
    t[5] = 4.0 * d1 - 5.0 * d3 + d5;
}

void main() {
    uint linear = gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 64u + gl_GlobalInvocationID.x;
    if (linear >= p.tiles * p.Cip4) return;
    uint c4 = linear % p.Cip4, tile = linear / p.Cip4;
    uint tx = tile % p.tilesX, rest = tile / p.tilesX;
    uint ty = rest % p.tilesY, n = rest / p.tilesY;
    vec4 d[6][6];
    [[unroll]] for (uint i = 0u; i < 6u; ++i) {
        uint y = min(4u * ty + i, p.Hp - 1u);
        [[unroll]] for (uint j = 0u; j < 6u; ++j) {
            uint x = min(4u * tx + j, p.Wp - 1u);
            d[i][j] = texelFetch(X, int(p.xTexel + ((n * p.Hp + y) * p.Wp + x) * p.Cip4 + c4));
        }
    }
    // Down the columns, then along the rows.
    vec4 t[6][6];
    [[unroll]] for (uint j = 0u; j < 6u; ++j) {
        vec4 column[6];
        transform(d[0][j], d[1][j], d[2][j], d[3][j], d[4][j], d[5][j], column);
        [[unroll]] for (uint i = 0u; i < 6u; ++i) t[i][j] = column[i];
    }
    uint stride = p.tiles * p.Cip4, base = tile * p.Cip4 + c4;
    [[unroll]] for (uint i = 0u; i < 6u; ++i) {
        vec4 row[6];
        transform(t[i][0], t[i][1], t[i][2], t[i][3], t[i][4], t[i][5], row);
        [[unroll]] for (uint j = 0u; j < 6u; ++j) v[base + (6u * i + j) * stride] = row[j];
    }
}
