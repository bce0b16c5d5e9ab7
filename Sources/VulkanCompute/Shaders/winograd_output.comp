#version 450
#extension GL_EXT_control_flow_attributes : require
#extension GL_GOOGLE_include_directive : require
// Winograd F(4×4, 3×3) output transform: each invocation reads one tile's 36 products M[position][tile][Co]
// for 4 output channels (RGBA32F texels; Co a multiple of 4), forms Y = Aᵀ M A, the tile's 4 × 4 outputs, adds
// the bias and writes them NCHW, skipping outputs past the bottom or right edge. With `outHalf` it stores them as
// fp16 (half_store.glsl), a word per pair of columns: the host sets it only for even Wo, where columns 2i and
// 2i + 1 lie in one tile.
layout(local_size_x = 64) in;
layout(std430, binding = 0) writeonly buffer Out { float o[]; };
layout(std430, binding = 0) writeonly buffer OutH { uint oh[]; };
layout(binding = 4) uniform samplerBuffer M;
layout(binding = 5) uniform samplerBuffer Bias;
layout(push_constant) uniform Params {
    uint tiles; uint tilesX; uint tilesY; uint Ho; uint Wo; uint Co4; uint mTexel; uint hasBias; uint biasTexel; uint outHalf;
} p;

#include "half_store.glsl"

// Aᵀ m for one column m[0..5].
void transform(vec4 m0, vec4 m1, vec4 m2, vec4 m3, vec4 m4, vec4 m5, out vec4 y[4]) {
    vec4 sum12 = m1 + m2, diff12 = m1 - m2, sum34 = m3 + m4, diff34 = m3 - m4;
    y[0] = m0 + sum12 + sum34;
    y[1] = diff12 + 2.0 * diff34;
    y[2] = sum12 + 4.0 * sum34;
    y[3] = diff12 + 8.0 * diff34 + m5;
}

void main() {
    uint linear = gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 64u + gl_GlobalInvocationID.x;
    if (linear >= p.tiles * p.Co4) return;
    uint co4 = linear % p.Co4, tile = linear / p.Co4;
    uint tx = tile % p.tilesX, rest = tile / p.tilesX;
    uint ty = rest % p.tilesY, n = rest / p.tilesY;
    uint stride = p.tiles * p.Co4, base = p.mTexel + tile * p.Co4 + co4;
    vec4 t[4][6];
    [[unroll]] for (uint j = 0u; j < 6u; ++j) {
        vec4 column[4];
        transform(texelFetch(M, int(base + j * stride)), texelFetch(M, int(base + (6u + j) * stride)),
                  texelFetch(M, int(base + (12u + j) * stride)), texelFetch(M, int(base + (18u + j) * stride)),
                  texelFetch(M, int(base + (24u + j) * stride)), texelFetch(M, int(base + (30u + j) * stride)), column);
        [[unroll]] for (uint i = 0u; i < 4u; ++i) t[i][j] = column[i];
    }
    vec4 bias = p.hasBias != 0u ? texelFetch(Bias, int(p.biasTexel + co4)) : vec4(0.0);
    uint Co = 4u * p.Co4;
    [[unroll]] for (uint i = 0u; i < 4u; ++i) {
        uint oy = 4u * ty + i;
        vec4 row[4];
        transform(t[i][0], t[i][1], t[i][2], t[i][3], t[i][4], t[i][5], row);
        if (OUT_HALF) {
            [[unroll]] for (uint j = 0u; j < 4u; j += 2u) {
                uint ox = 4u * tx + j;
                if (oy < p.Ho && ox < p.Wo) {
                    [[unroll]] for (uint c = 0u; c < 4u; ++c) {
                        oh[(((n * Co + 4u * co4 + c) * p.Ho + oy) * p.Wo + ox) / 2u] = packedHalves(row[j][c] + bias[c], row[j + 1u][c] + bias[c]);
                    }
                }
            }
            continue;
        }
        [[unroll]] for (uint j = 0u; j < 4u; ++j) {
            uint ox = 4u * tx + j;
            if (oy < p.Ho && ox < p.Wo) {
                [[unroll]] for (uint c = 0u; c < 4u; ++c) o[((n * Co + 4u * co4 + c) * p.Ho + oy) * p.Wo + ox] = row[j][c] + bias[c];
            }
        }
    }
}
