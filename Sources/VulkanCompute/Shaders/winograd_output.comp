#version 450
#extension GL_EXT_control_flow_attributes : require
// Winograd F(2×2, 3×3) output transform: each invocation reads one tile's 16 products M[position][tile][Co]
// for 4 output channels (RGBA32F texels; Co a multiple of 4), forms Y = Aᵀ M A, the tile's 2 × 2 outputs, adds
// the bias and writes them NCHW, skipping outputs past the bottom or right edge.
layout(local_size_x = 64) in;
layout(std430, binding = 0) writeonly buffer Out { float o[]; };
layout(binding = 4) uniform samplerBuffer M;
layout(binding = 5) uniform samplerBuffer Bias;
layout(push_constant) uniform Params {
    uint tiles; uint tilesX; uint tilesY; uint Ho; uint Wo; uint Co4; uint mTexel; uint hasBias; uint biasTexel;
} p;

void main() {
    uint linear = gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 64u + gl_GlobalInvocationID.x;
    if (linear >= p.tiles * p.Co4) return;
    uint co4 = linear % p.Co4, tile = linear / p.Co4;
    uint tx = tile % p.tilesX, rest = tile / p.tilesX;
    uint ty = rest % p.tilesY, n = rest / p.tilesY;
    uint stride = p.tiles * p.Co4, base = p.mTexel + tile * p.Co4 + co4;
    vec4 m[4][4];
    [[unroll]] for (uint i = 0u; i < 4u; ++i)
        [[unroll]] for (uint j = 0u; j < 4u; ++j) m[i][j] = texelFetch(M, int(base + (4u * i + j) * stride));
    // Aᵀ = [1 1 1 0; 0 1 −1 −1], applied down the columns, then along the rows.
    vec4 t[2][4];
    [[unroll]] for (uint j = 0u; j < 4u; ++j) {
        t[0][j] = m[0][j] + m[1][j] + m[2][j];
        t[1][j] = m[1][j] - m[2][j] - m[3][j];
    }
    vec4 bias = p.hasBias != 0u ? texelFetch(Bias, int(p.biasTexel + co4)) : vec4(0.0);
    uint Co = 4u * p.Co4;
    [[unroll]] for (uint i = 0u; i < 2u; ++i) {
        uint oy = 2u * ty + i;
        vec4 row[2] = vec4[2](t[i][0] + t[i][1] + t[i][2] + bias, t[i][1] - t[i][2] - t[i][3] + bias);
        [[unroll]] for (uint j = 0u; j < 2u; ++j) {
            uint ox = 2u * tx + j;
            if (oy < p.Ho && ox < p.Wo) {
                [[unroll]] for (uint c = 0u; c < 4u; ++c) o[((n * Co + 4u * co4 + c) * p.Ho + oy) * p.Wo + ox] = row[j][c];
            }
        }
    }
}
