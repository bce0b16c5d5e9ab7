#version 450
#extension GL_NV_cooperative_matrix : require
#extension GL_KHR_memory_scope_semantics : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
// out = scale · A · B + bias on tensor cores (VK_NV_cooperative_matrix): fp16 operands, fp32 accumulators.
// A is an implicit-GEMM convolution input: row m is output pixel (img, oy, ox) of an NHWC input padded to
// Hp × Wp × Cip with its whole zero border (conv2d's packed input), column k = tap·Cip + c. A linear layer is
// the 1 × 1 convolution of a 1 × M image (Ho = Hp = 1, Wo = Wp = M, Cip = Kp), so one kernel serves both.
// B is the packed fp16 weight [Kp][Np] (PackedLayout.convolution / .transposed), Np a multiple of 16.
// A is fp32 (rounded to fp16 as it is staged) or, with `aHalf`, fp16 itself; both arrive through uint vectors
// of the same binding (8- and 16-byte loads; no 16-bit storage feature needed).
//
// Recipe (jeffbolznv/vk_cooperative_matrix_perf, shmem): 256 invocations = 8 subgroups of 32 (VulkanBackend
// enables this kernel only where the subgroup size is 32) laid out 2 (rows) × 4 (columns) over a 128 × 128
// output tile; each subgroup holds 4 × 2 accumulators of 16 × 16. K advances in chunks of 16: each invocation
// stages one 8-value row piece of A and one of B in shared memory (rows padded by 8 values against bank
// conflicts), the next chunk is fetched into registers while the current one is multiplied; each A piece's tap
// and channel are carried from chunk to chunk (no integer division in the loop). Out-of-range rows,
// columns and k read as zero; the epilogue goes through shared memory so that it can bounds-check, add the bias
// and write NCHW (`channelsFirst`, convolutions) or row-major [M][N] (linear layers).
layout(local_size_x = 256) in;
layout(std430, binding = 0) writeonly buffer Out { float c[]; };
layout(std430, binding = 1) readonly buffer A { vec4 a4[]; };
layout(std430, binding = 1) readonly buffer AHalf { uvec2 aHalf4[]; };
layout(std430, binding = 2) readonly buffer B { uvec4 bHalf8[]; };
layout(std430, binding = 3) readonly buffer Bias { float bias[]; };
layout(push_constant) uniform Params {
    uint M; uint N; uint Kp; uint Np; uint Cip; uint Ho; uint Wo; uint Hp; uint Wp; uint kw; uint stride;
    uint channelsFirst; float scale; uint hasBias; uint aHalf;
} p;

const uint BM = 128u, BN = 128u, BK = 16u;
// Shared rows in uvec4s (8 fp16 values each): 16 + 8 values for A, 128 + 8 for B.
const uint A_STRIDE = BK / 8u + 1u, B_STRIDE = BN / 8u + 1u;
shared uvec4 As[BM * A_STRIDE];
shared uvec4 Bs[BK * B_STRIDE];
// One 16 × 16 fp32 accumulator per subgroup on its way out.
shared float Cs[8u * 256u];

// Where this invocation's 8-value piece of its A row starts in the reduction: index k, tap (ky, kx) and channel.
// It advances by whole chunks, so the tap and channel are carried along instead of divided out of k.
struct Reduction { uint k; uint ky; uint kx; uint ch; };

Reduction advanced(Reduction r, uint by) {
    r.k += by;
    r.ch += by;
    while (r.ch >= p.Cip) {
        r.ch -= p.Cip;
        if (++r.kx == p.kw) { r.kx = 0u; ++r.ky; }
    }
    return r;
}

// The four fp16 values of A at `r` (k a multiple of 4, so they lie in one tap) for the pixel whose receptive
// field starts at `rowBase` in the padded input; zero past Kp.
uvec2 loadA4(uint rowBase, Reduction r) {
    if (r.k >= p.Kp) return uvec2(0u);
    uint index = rowBase + (r.ky * p.Wp + r.kx) * p.Cip + r.ch;
    if (p.aHalf != 0u) return aHalf4[index >> 2];
    vec4 v = a4[index >> 2];
    return uvec2(packHalf2x16(v.xy), packHalf2x16(v.zw));
}

// This invocation's piece of the chunk at k0: 8 values of its A row (from `r`, at k0 + its column), 8 of B row
// `bRow` from column `bColumn`.
void loadChunk(uint k0, bool rowInRange, uint rowBase, Reduction r, uint bRow, uint bColumn, out uvec4 a, out uvec4 b) {
    a = uvec4(0u);
    if (rowInRange) a = uvec4(loadA4(rowBase, r), loadA4(rowBase, advanced(r, 4u)));
    uint k = k0 + bRow;
    b = (k < p.Kp && bColumn < p.Np) ? bHalf8[(k * p.Np + bColumn) >> 3] : uvec4(0u);
}

void main() {
    uint thread = gl_LocalInvocationID.x;
    uint m0 = gl_WorkGroupID.x * BM, n0 = gl_WorkGroupID.y * BN;
    uint subgroup = gl_SubgroupID, lane = gl_SubgroupInvocationID;
    uint warpRow = subgroup / 4u, warpColumn = subgroup % 4u;

    // The A row this invocation stages, as the offset of its pixel's receptive field in the padded input.
    uint aRow = thread >> 1, aCol = (thread & 1u) * 8u;
    uint m = m0 + aRow;
    bool rowInRange = m < p.M;
    uint pixels = p.Ho * p.Wo;
    uint img = m / pixels, pixel = m - img * pixels;
    uint oy = pixel / p.Wo, ox = pixel - oy * p.Wo;
    uint rowBase = ((img * p.Hp + oy * p.stride) * p.Wp + ox * p.stride) * p.Cip;
    uint bRow = thread >> 4, bPiece = thread & 15u;
    uint bColumn = n0 + bPiece * 8u;
    Reduction reduction = advanced(Reduction(0u, 0u, 0u, 0u), aCol);

    fcoopmatNV<32, gl_ScopeSubgroup, 16, 16> acc[4][2];
    for (int i = 0; i < 4; ++i) for (int j = 0; j < 2; ++j) acc[i][j] = fcoopmatNV<32, gl_ScopeSubgroup, 16, 16>(0.0);

    uvec4 aNext, bNext;
    loadChunk(0u, rowInRange, rowBase, reduction, bRow, bColumn, aNext, bNext);
    for (uint k0 = 0u; k0 < p.Kp; k0 += BK) {
        As[aRow * A_STRIDE + (thread & 1u)] = aNext;
        Bs[bRow * B_STRIDE + bPiece] = bNext;
        barrier();
        reduction = advanced(reduction, BK);
        if (k0 + BK < p.Kp) loadChunk(k0 + BK, rowInRange, rowBase, reduction, bRow, bColumn, aNext, bNext);
        fcoopmatNV<16, gl_ScopeSubgroup, 16, 16> matA[4];
        for (uint i = 0u; i < 4u; ++i) coopMatLoadNV(matA[i], As, (warpRow * 64u + i * 16u) * A_STRIDE, A_STRIDE, false);
        for (uint j = 0u; j < 2u; ++j) {
            fcoopmatNV<16, gl_ScopeSubgroup, 16, 16> matB;
            coopMatLoadNV(matB, Bs, (warpColumn * 32u + j * 16u) / 8u, B_STRIDE, false);
            for (uint i = 0u; i < 4u; ++i) acc[i][j] = coopMatMulAddNV(matA[i], matB, acc[i][j]);
        }
        barrier();
    }

    // Epilogue: each accumulator through this subgroup's 16 × 16 slot. Adjacent lanes write adjacent outputs:
    // along columns for [M][N], along pixels for NCHW.
    uint slot = subgroup * 256u;
    for (uint i = 0u; i < 4u; ++i) {
        for (uint j = 0u; j < 2u; ++j) {
            coopMatStoreNV(acc[i][j], Cs, slot, 16u, false);
            subgroupMemoryBarrierShared();
            subgroupBarrier();
            for (uint e = lane; e < 256u; e += 32u) {
                uint row = p.channelsFirst != 0u ? e % 16u : e / 16u;
                uint column = p.channelsFirst != 0u ? e / 16u : e % 16u;
                uint om = m0 + warpRow * 64u + i * 16u + row, on = n0 + warpColumn * 32u + j * 16u + column;
                if (om >= p.M || on >= p.N) continue;
                float value = p.scale * Cs[slot + row * 16u + column] + (p.hasBias != 0u ? bias[on] : 0.0);
                if (p.channelsFirst != 0u) {
                    uint oimg = om / pixels;
                    c[(oimg * p.N + on) * pixels + (om - oimg * pixels)] = value;
                } else {
                    c[om * p.N + on] = value;
                }
            }
            subgroupBarrier();
        }
    }
}
