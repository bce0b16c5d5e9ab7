#version 450
#extension GL_GOOGLE_include_directive : require
// C[b, m, n] = scale · Σ_k A[b, m, k] · B[b, k, n] + bias[n], the shared-memory tiled family for GPUs:
// a 64 × 64 output tile per workgroup of 16 × 16 invocations, each holding 4 × 4 outputs; K advances in
// 16-wide slabs staged in shared memory. Operands are the same packed layouts as gemm_texel (A [batch][M][Kp],
// B [batch][Kp][Np], Kp a multiple of 4, Np of 16), read from storage buffers. Correct for any subgroup size
// (only workgroup barriers). With `bHalf`, B holds fp16 values, two to a uint (the same binding read as uints:
// no 16-bit storage feature needed), widened to fp32 as they are loaded; `aHalf` does the same for A (an fp16
// activation); products accumulate in fp32. With `outHalf` C is stored as fp16 (half_store.glsl), a word per pair
// of columns: the host sets it only for even N, where columns 2i and 2i + 1 belong to one invocation.
layout(local_size_x = 16, local_size_y = 16) in;
layout(std430, binding = 0) writeonly buffer Out { float c[]; };
layout(std430, binding = 0) writeonly buffer OutH { uint ch[]; };
layout(std430, binding = 1) readonly buffer A { float a_[]; };
layout(std430, binding = 1) readonly buffer AHalf { uint aHalf_[]; };
layout(std430, binding = 2) readonly buffer B { float b_[]; };
layout(std430, binding = 2) readonly buffer BHalf { uint bHalf_[]; };
layout(std430, binding = 3) readonly buffer Bias { float bias[]; };
layout(push_constant) uniform Params {
    uint M; uint N; uint Kp; uint Np; uint aBatchStride; uint bBatchStride; float scale; uint hasBias; uint bHalf; uint aHalf; uint outHalf;
} p;

#include "half_store.glsl"

float loadA(uint index) { return p.aHalf != 0u ? unpackHalf2x16(aHalf_[index >> 1])[index & 1u] : a_[index]; }
float loadB(uint index) { return p.bHalf != 0u ? unpackHalf2x16(bHalf_[index >> 1])[index & 1u] : b_[index]; }

const uint BM = 64u, BN = 64u, BK = 16u;
// One column of padding: the staging stores write 16 consecutive k of one row per half-warp, which would all
// fall into one bank at a row stride of 64.
shared float As[BK][BM + 1u];
shared float Bs[BK][BN];

// The slab at k0 that this invocation stages: elements thread + 256·i of each 1024-element tile, zero outside.
void loadSlab(uint k0, uint thread, uint m0, uint n0, uint aBase, uint bBase, out float a[4], out float b[4]) {
    for (uint i = 0u; i < 4u; ++i) {
        uint e = thread + 256u * i;
        uint m = m0 + e / BK, k = k0 + e % BK;
        a[i] = (m < p.M && k < p.Kp) ? loadA(aBase + m * p.Kp + k) : 0.0;
        uint n = n0 + e % BN, k2 = k0 + e / BN;
        b[i] = (n < p.Np && k2 < p.Kp) ? loadB(bBase + k2 * p.Np + n) : 0.0;
    }
}

void main() {
    uint tx = gl_LocalInvocationID.x, ty = gl_LocalInvocationID.y;
    uint thread = ty * 16u + tx;
    uint batch = gl_WorkGroupID.z;
    uint m0 = gl_WorkGroupID.x * BM, n0 = gl_WorkGroupID.y * BN;
    uint aBase = batch * p.aBatchStride, bBase = batch * p.bBatchStride;
    float acc[4][4];
    for (int i = 0; i < 4; ++i) for (int j = 0; j < 4; ++j) acc[i][j] = 0.0;
    // The next slab is loaded into registers before the current one is multiplied (see conv2d_shared.comp).
    float aNext[4], bNext[4];
    loadSlab(0u, thread, m0, n0, aBase, bBase, aNext, bNext);
    for (uint k0 = 0u; k0 < p.Kp; k0 += BK) {
        for (uint i = 0u; i < 4u; ++i) {
            uint e = thread + 256u * i;
            As[e % BK][e / BK] = aNext[i];
            Bs[e / BN][e % BN] = bNext[i];
        }
        barrier();
        if (k0 + BK < p.Kp) loadSlab(k0 + BK, thread, m0, n0, aBase, bBase, aNext, bNext);
        for (uint kk = 0u; kk < BK; ++kk) {
            float av[4], bv[4];
            for (int i = 0; i < 4; ++i) av[i] = As[kk][ty * 4u + uint(i)];
            for (int j = 0; j < 4; ++j) bv[j] = Bs[kk][tx * 4u + uint(j)];
            for (int i = 0; i < 4; ++i) for (int j = 0; j < 4; ++j) acc[i][j] += av[i] * bv[j];
        }
        barrier();
    }
    uint cBase = batch * p.M * p.N;
    if (OUT_HALF) {
        for (int i = 0; i < 4; ++i) {
            uint m = m0 + ty * 4u + uint(i);
            for (int j = 0; j < 4; j += 2) {
                uint n = n0 + tx * 4u + uint(j);
                if (m < p.M && n < p.N) {
                    ch[(cBase + m * p.N + n) / 2u] = packedHalves(p.scale * acc[i][j] + (p.hasBias != 0u ? bias[n] : 0.0),
                                                               p.scale * acc[i][j + 1] + (p.hasBias != 0u ? bias[n + 1u] : 0.0));
                }
            }
        }
        return;
    }
    for (int i = 0; i < 4; ++i) {
        uint m = m0 + ty * 4u + uint(i);
        for (int j = 0; j < 4; ++j) {
            uint n = n0 + tx * 4u + uint(j);
            if (m < p.M && n < p.N) c[cBase + m * p.N + n] = p.scale * acc[i][j] + (p.hasBias != 0u ? bias[n] : 0.0);
        }
    }
}
