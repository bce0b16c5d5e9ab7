#version 450
#extension GL_GOOGLE_include_directive : require
// 2-D convolution as an implicit GEMM, the shared-memory tiled family for GPUs: rows are output pixels, columns
// output channels, the reduction runs over k = (tap, input channel) in the same packed operands as
// conv2d_texel (NHWC input with its zero border [N][Hp][Wp][Cip]; weights [kh·kw][Cip][Cop]), read from
// storage buffers and staged in shared memory 16 k at a time. 64 × 64 outputs per workgroup of 16 × 16
// invocations; output NCHW plus bias. Correct for any subgroup size (only workgroup barriers). With `wHalf`, the
// weights are fp16, two to a uint, widened to fp32 as they are loaded (as in gemm_shared.comp). With `outHalf` the
// output is stored as fp16 (half_store.glsl), a word per pair of pixels: the host sets it only for even planes,
// where pixels 2i and 2i + 1 lie in one plane and belong to one invocation.
layout(local_size_x = 16, local_size_y = 16) in;
layout(std430, binding = 0) writeonly buffer Out { float o[]; };
layout(std430, binding = 0) writeonly buffer OutH { uint oh[]; };
layout(std430, binding = 1) readonly buffer Input { float x[]; };
layout(std430, binding = 2) readonly buffer Weight { float w[]; };
layout(std430, binding = 2) readonly buffer WeightHalf { uint wHalf_[]; };
layout(std430, binding = 3) readonly buffer Bias { float bias[]; };
layout(push_constant) uniform Params {
    uint pixels; uint Ho; uint Wo; uint Hp; uint Wp; uint Cip; uint Cop; uint Co;
    uint kw; uint stride; uint K; uint hasBias; uint wHalf; uint outHalf;
} p;

#include "half_store.glsl"

float loadW(uint index) { return p.wHalf != 0u ? unpackHalf2x16(wHalf_[index >> 1])[index & 1u] : w[index]; }

const uint BM = 64u, BN = 64u, BK = 16u;
// One column of padding: the staging stores below write 16 consecutive k of one pixel row per half-warp, which
// would all fall into one bank at a row stride of 64.
shared float As[BK][BM + 1u];
shared float Bs[BK][BN];

// The slab at k0 that this invocation stages: four A values (one k column of its four pixel rows) and four B
// values (four k rows of one output channel); zero outside the operands.
void loadSlab(uint k0, uint aK, uint thread, int aRow[4], uint co0, out float a[4], out float b[4]) {
    uint k = k0 + aK;
    uint tap = k / p.Cip, ci = k - tap * p.Cip;
    uint ky = tap / p.kw, kx = tap - ky * p.kw;
    int tapOffset = int((ky * p.Wp + kx) * p.Cip + ci);
    for (uint i = 0u; i < 4u; ++i) {
        a[i] = (aRow[i] >= 0 && k < p.K) ? x[aRow[i] + tapOffset] : 0.0;
        uint k2 = k0 + thread / BN + 4u * i, co = co0 + thread % BN;
        b[i] = (co < p.Cop && k2 < p.K) ? loadW(k2 * p.Cop + co) : 0.0;
    }
}

void main() {
    uint tx = gl_LocalInvocationID.x, ty = gl_LocalInvocationID.y;
    uint thread = ty * 16u + tx;
    uint pix0 = gl_WorkGroupID.x * BM, co0 = gl_WorkGroupID.y * BN;
    // Each invocation stages the same four pixel rows (and one k column) of A in every slab, so the pixel → input
    // offset division happens once here rather than once per element per slab; -1 marks rows past the end.
    uint aK = thread % BK;
    int aRow[4];
    for (uint i = 0u; i < 4u; ++i) {
        uint pix = pix0 + thread / BK + 16u * i;
        uint ox = pix % p.Wo, rest = pix / p.Wo;
        uint oy = rest % p.Ho, n = rest / p.Ho;
        aRow[i] = pix < p.pixels ? int(((n * p.Hp + oy * p.stride) * p.Wp + ox * p.stride) * p.Cip) : -1;
    }
    float acc[4][4];
    for (int i = 0; i < 4; ++i) for (int j = 0; j < 4; ++j) acc[i][j] = 0.0;
    // The next slab's operands are loaded into registers before the current slab is multiplied, so the global
    // loads' latency overlaps the arithmetic (layers with few workgroups per multiprocessor otherwise wait on it).
    float aNext[4], bNext[4];
    loadSlab(0u, aK, thread, aRow, co0, aNext, bNext);
    for (uint k0 = 0u; k0 < p.K; k0 += BK) {
        for (uint i = 0u; i < 4u; ++i) {
            As[aK][thread / BK + 16u * i] = aNext[i];
            Bs[thread / BN + 4u * i][thread % BN] = bNext[i];
        }
        barrier();
        if (k0 + BK < p.K) loadSlab(k0 + BK, aK, thread, aRow, co0, aNext, bNext);
        for (uint kk = 0u; kk < BK; ++kk) {
            float av[4], bv[4];
            for (int i = 0; i < 4; ++i) av[i] = As[kk][ty * 4u + uint(i)];
            for (int j = 0; j < 4; ++j) bv[j] = Bs[kk][tx * 4u + uint(j)];
            for (int i = 0; i < 4; ++i) for (int j = 0; j < 4; ++j) acc[i][j] += av[i] * bv[j];
        }
        barrier();
    }
    uint plane = p.Ho * p.Wo;
    if (OUT_HALF) {
        for (int i = 0; i < 4; i += 2) {
            uint pix = pix0 + ty * 4u + uint(i);
            if (pix >= p.pixels) continue;
            uint n = pix / plane, within = pix % plane;
            for (int j = 0; j < 4; ++j) {
                uint co = co0 + tx * 4u + uint(j);
                if (co >= p.Co) continue;
                float b = p.hasBias != 0u ? bias[co] : 0.0;
                oh[((n * p.Co + co) * plane + within) / 2u] = packedHalves(acc[i][j] + b, acc[i + 1][j] + b);
            }
        }
        return;
    }
    for (int i = 0; i < 4; ++i) {
        uint pix = pix0 + ty * 4u + uint(i);
        if (pix >= p.pixels) continue;
        uint n = pix / plane, within = pix % plane;
        for (int j = 0; j < 4; ++j) {
            uint co = co0 + tx * 4u + uint(j);
            if (co < p.Co) o[(n * p.Co + co) * plane + within] = acc[i][j] + (p.hasBias != 0u ? bias[co] : 0.0);
        }
    }
}
