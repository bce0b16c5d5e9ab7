#version 450
#extension GL_EXT_control_flow_attributes : require
#extension GL_GOOGLE_include_directive : require
// C[b, m, n] = scale · Σ_k A[b, m, k] · B[b, k, n] + bias[n], for CPU-type devices (lavapipe).
// A and B are read through RGBA32F uniform texel buffers, one vec4 per fetch: llvmpipe lowers these to
// vectorised gathers, while storage-buffer and shared-memory loads become per-lane scalar loops (7–11× slower).
// Each invocation keeps a TM × (4·TNV) register tile. Operands are prepared by the host side:
// A is [batch][M][K4] texels (K zero-padded to a multiple of 4), B is [batch][4·K4][N4] texels with N4 a multiple
// of TNV (zero-padded) or, with `bTransposed`, Bᵀ as [batch][N][K4] texels with N a multiple of 4·TNV, so the
// inner loop needs no bounds checks; rows past M are clamped and not stored.
// Invocations are numbered flat over (row tile, column tile) in workgroups of 8 (one SIMD row on llvmpipe, which
// runs each workgroup on one thread), so small products still make enough workgroups for every core;
// `columnsInner` puts the column tiles on adjacent invocations when there are fewer row tiles than lanes.
// With `outHalf` C is stored as fp16 (half_store.glsl), a word per pair of columns: the host sets it only for even
// N, where columns 2i and 2i + 1 lie in one row and one column tile.
#define TM 16
#define TNV 4
layout(local_size_x = 8) in;
layout(std430, binding = 0) writeonly buffer OutS { float c[]; };
layout(std430, binding = 0) writeonly buffer OutV { vec4 cv[]; };
layout(std430, binding = 0) writeonly buffer OutH { uint ch[]; };
layout(std430, binding = 0) writeonly buffer OutH4 { uvec2 ch4[]; };
layout(binding = 4) uniform samplerBuffer A;
layout(binding = 5) uniform samplerBuffer B;
layout(binding = 6) uniform samplerBuffer Bias;
layout(push_constant) uniform Params {
    uint M; uint N; uint K4; uint N4;
    uint aOffset; uint bOffset; uint aBatchStride; uint bBatchStride;
    float scale; uint hasBias; uint biasOffset;
    uint rowTiles; uint columnTiles; uint columnsInner; uint batches; uint bTransposed; uint outHalf;
} p;

#include "half_store.glsl"

void main() {
    uint linear = (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
    uint tiles = p.rowTiles * p.columnTiles;
    if (linear >= tiles * p.batches) return;
    uint batch = linear / tiles, tile = linear % tiles;
    uint rowTile = p.columnsInner != 0u ? tile / p.columnTiles : tile % p.rowTiles;
    uint columnTile = p.columnsInner != 0u ? tile % p.columnTiles : tile / p.rowTiles;
    uint m0 = rowTile * TM;
    uint n4 = columnTile * TNV;
    int aRow[TM];
    [[unroll]] for (int t = 0; t < TM; ++t) aRow[t] = int(p.aOffset + batch * p.aBatchStride + min(m0 + uint(t), p.M - 1u) * p.K4);
    int bBase = int(p.bOffset + batch * p.bBatchStride + n4);
    int N4 = int(p.N4);
    vec4 acc[TM][TNV];
    [[unroll]] for (int t = 0; t < TM; ++t) [[unroll]] for (int q = 0; q < TNV; ++q) acc[t][q] = vec4(0.0);
    // The reduction over k; LOAD_B fills b0..b3 (rows 4·k4 … 4·k4+3 of B, as vec4s over 4 columns each).
    // The layout test sits outside the loop: llvmpipe runs both sides of a branch under masks.
#define REDUCE(LOAD_B) \
    for (int k4 = 0; k4 < int(p.K4); ++k4) { \
        vec4 b0[TNV], b1[TNV], b2[TNV], b3[TNV]; \
        LOAD_B \
        [[unroll]] for (int t = 0; t < TM; ++t) { \
            vec4 a = texelFetch(A, aRow[t] + k4); \
            [[unroll]] for (int q = 0; q < TNV; ++q) acc[t][q] = fma(vec4(a.w), b3[q], fma(vec4(a.z), b2[q], fma(vec4(a.y), b1[q], fma(vec4(a.x), b0[q], acc[t][q])))); \
        } \
    }
    if (p.bTransposed == 0u) {
        // B is [4·K4][N4] texels: each fetch holds 4 columns of one row.
#define LOAD_ROWS \
        int row = bBase + 4 * k4 * N4; \
        [[unroll]] for (int q = 0; q < TNV; ++q) { \
            b0[q] = texelFetch(B, row + q); \
            b1[q] = texelFetch(B, row + N4 + q); \
            b2[q] = texelFetch(B, row + 2 * N4 + q); \
            b3[q] = texelFetch(B, row + 3 * N4 + q); \
        }
        REDUCE(LOAD_ROWS)
    } else {
        // B is given as Bᵀ, [N][K4] texels with N a multiple of 4·TNV: each fetch holds 4 rows of one column, and
        // the 4 × 4 transposes are free in llvmpipe's one-register-per-component layout.
        int K4 = int(p.K4);
        int columnBase = int(p.bOffset + batch * p.bBatchStride + 4u * n4 * p.K4);
#define LOAD_COLUMNS \
        [[unroll]] for (int q = 0; q < TNV; ++q) { \
            vec4 c0 = texelFetch(B, columnBase + (4 * q) * K4 + k4); \
            vec4 c1 = texelFetch(B, columnBase + (4 * q + 1) * K4 + k4); \
            vec4 c2 = texelFetch(B, columnBase + (4 * q + 2) * K4 + k4); \
            vec4 c3 = texelFetch(B, columnBase + (4 * q + 3) * K4 + k4); \
            b0[q] = vec4(c0.x, c1.x, c2.x, c3.x); \
            b1[q] = vec4(c0.y, c1.y, c2.y, c3.y); \
            b2[q] = vec4(c0.z, c1.z, c2.z, c3.z); \
            b3[q] = vec4(c0.w, c1.w, c2.w, c3.w); \
        }
        REDUCE(LOAD_COLUMNS)
    }
    uint cBase = batch * p.M * p.N;
    vec4 bias[TNV];
    [[unroll]] for (int q = 0; q < TNV; ++q) bias[q] = p.hasBias != 0u ? texelFetch(Bias, int(p.biasOffset + n4) + q) : vec4(0.0);
    if (p.N % 4u == 0u) {
        // Rows of whole texels: one vec4 store per 4 columns.
        [[unroll]] for (int t = 0; t < TM; ++t) {
            uint m = m0 + uint(t);
            [[unroll]] for (int q = 0; q < TNV; ++q) {
                uint n = (n4 + uint(q)) * 4u;
                if (m < p.M && n < p.N) {
                    vec4 v = p.scale * acc[t][q] + bias[q];
                    if (OUT_HALF) ch4[(cBase + m * p.N + n) / 4u] = packedHalves(v);
                    else cv[(cBase + m * p.N + n) / 4u] = v;
                }
            }
        }
        return;
    }
    if (OUT_HALF) {
        [[unroll]] for (int q = 0; q < TNV; ++q) {
            [[unroll]] for (int j = 0; j < 4; j += 2) {
                uint n = (n4 + uint(q)) * 4u + uint(j);
                [[unroll]] for (int t = 0; t < TM; ++t) {
                    uint m = m0 + uint(t);
                    if (m < p.M && n < p.N) {
                        ch[(cBase + m * p.N + n) / 2u] = packedHalves(p.scale * acc[t][q][j] + bias[q][j], p.scale * acc[t][q][j + 1] + bias[q][j + 1]);
                    }
                }
            }
        }
        return;
    }
    [[unroll]] for (int q = 0; q < TNV; ++q) {
        [[unroll]] for (int j = 0; j < 4; ++j) {
            uint n = (n4 + uint(q)) * 4u + uint(j);
            [[unroll]] for (int t = 0; t < TM; ++t) {
                uint m = m0 + uint(t);
                if (m < p.M && n < p.N) c[cBase + m * p.N + n] = p.scale * acc[t][q][j] + bias[q][j];
            }
        }
    }
}
