#version 450
#extension GL_EXT_control_flow_attributes : require
#extension GL_GOOGLE_include_directive : require
// 2-D convolution as an implicit GEMM for CPU-type devices (lavapipe): rows are output pixels (n, oy, ox),
// columns output channels, and the reduction runs over taps (ky, kx) × input channels.
// The input is read as RGBA32F texels from an NHWC copy with the zero padding already in place
// ([N][Hp][Wp][Ci4] texels, so no masks in the inner loop); the weights as [kh·kw][4·Ci4][Co4] texels
// with Co4 a multiple of TNV. Each invocation holds TM consecutive output pixels × 4·TNV channels in registers
// and writes them NCHW with the bias added (vec4 stores along pixels where the planes allow). With `outHalf` it
// stores them as fp16 (half_store.glsl), a word per pair of pixels: the host sets it only for even planes, where
// pixels 2i and 2i + 1 lie in one plane and one tile (TM is even).
// Invocations are numbered flat over (pixel tile, channel tile) in workgroups of 8 (one SIMD row on llvmpipe,
// which runs each workgroup on one thread): small layers then still make enough workgroups for every core.
// `channelsInner` puts the channel tiles on adjacent invocations, for layers with fewer pixel tiles than lanes.
#define TM 16
#define TNV 4
layout(local_size_x = 8) in;
layout(std430, binding = 0) writeonly buffer OutS { float o[]; };
layout(std430, binding = 0) writeonly buffer OutV { vec4 ov[]; };
layout(std430, binding = 0) writeonly buffer OutH { uint oh[]; };
layout(std430, binding = 0) writeonly buffer OutH4 { uvec2 oh4[]; };
layout(binding = 4) uniform samplerBuffer A;
layout(binding = 5) uniform samplerBuffer W;
layout(binding = 6) uniform samplerBuffer Bias;
layout(push_constant) uniform Params {
    uint pixels; uint Ho; uint Wo; uint Hp; uint Wp; uint Ci4; uint Co4; uint Co;
    uint kh; uint kw; uint stride; uint aOffset; uint wOffset; uint hasBias; uint biasOffset;
    uint pixelTiles; uint channelTiles; uint channelsInner; uint outHalf;
} p;

#include "half_store.glsl"

void main() {
    uint linear = (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
    if (linear >= p.pixelTiles * p.channelTiles) return;
    uint pixelTile = p.channelsInner != 0u ? linear / p.channelTiles : linear % p.pixelTiles;
    uint channelTile = p.channelsInner != 0u ? linear % p.channelTiles : linear / p.pixelTiles;
    uint pix0 = pixelTile * TM;
    uint co4 = channelTile * TNV;
    int Ci4 = int(p.Ci4), Co4 = int(p.Co4), Wp = int(p.Wp);
    int aBase[TM];
    [[unroll]] for (int t = 0; t < TM; ++t) {
        uint pix = min(pix0 + uint(t), p.pixels - 1u);
        uint ox = pix % p.Wo, rest = pix / p.Wo;
        uint oy = rest % p.Ho, n = rest / p.Ho;
        aBase[t] = int(p.aOffset + ((n * p.Hp + oy * p.stride) * p.Wp + ox * p.stride) * p.Ci4);
    }
    vec4 acc[TM][TNV];
    [[unroll]] for (int t = 0; t < TM; ++t) [[unroll]] for (int q = 0; q < TNV; ++q) acc[t][q] = vec4(0.0);
    int tap = 0;
    for (int ky = 0; ky < int(p.kh); ++ky) {
        for (int kx = 0; kx < int(p.kw); ++kx, ++tap) {
            int tapOffset = (ky * Wp + kx) * Ci4;
            int wTap = int(p.wOffset) + tap * 4 * Ci4 * Co4 + int(co4);
            for (int c4 = 0; c4 < Ci4; ++c4) {
                vec4 w0[TNV], w1[TNV], w2[TNV], w3[TNV];
                int row = wTap + 4 * c4 * Co4;
                [[unroll]] for (int q = 0; q < TNV; ++q) {
                    w0[q] = texelFetch(W, row + q);
                    w1[q] = texelFetch(W, row + Co4 + q);
                    w2[q] = texelFetch(W, row + 2 * Co4 + q);
                    w3[q] = texelFetch(W, row + 3 * Co4 + q);
                }
                [[unroll]] for (int t = 0; t < TM; ++t) {
                    vec4 a = texelFetch(A, aBase[t] + tapOffset + c4);
                    [[unroll]] for (int q = 0; q < TNV; ++q) acc[t][q] = fma(vec4(a.w), w3[q], fma(vec4(a.z), w2[q], fma(vec4(a.y), w1[q], fma(vec4(a.x), w0[q], acc[t][q]))));
                }
            }
        }
    }
    uint plane = p.Ho * p.Wo;
    vec4 bias[TNV];
    [[unroll]] for (int q = 0; q < TNV; ++q) bias[q] = p.hasBias != 0u ? texelFetch(Bias, int(p.biasOffset + co4) + q) : vec4(0.0);
    if (plane % 4u == 0u && pix0 + uint(TM) <= p.pixels) {
        // Whole tile inside, planes a multiple of 4: each group of 4 pixels lies in one plane, 16-byte aligned,
        // so every channel's 4 pixels go out as one vec4 store.
        [[unroll]] for (int g = 0; g < TM / 4; ++g) {
            uint pix = pix0 + uint(4 * g);
            uint n = pix / plane, within = pix % plane;
            uint outBase = n * p.Co * plane + within;
            [[unroll]] for (int q = 0; q < TNV; ++q) {
                [[unroll]] for (int j = 0; j < 4; ++j) {
                    uint co = (co4 + uint(q)) * 4u + uint(j);
                    vec4 v = vec4(acc[4 * g][q][j], acc[4 * g + 1][q][j], acc[4 * g + 2][q][j], acc[4 * g + 3][q][j]) + bias[q][j];
                    if (co < p.Co) {
                        if (OUT_HALF) oh4[(outBase + co * plane) / 4u] = packedHalves(v);
                        else ov[(outBase + co * plane) / 4u] = v;
                    }
                }
            }
        }
        return;
    }
    if (OUT_HALF) {
        [[unroll]] for (int t = 0; t < TM; t += 2) {
            uint pix = pix0 + uint(t);
            uint n = pix / plane, within = pix % plane;
            uint outBase = n * p.Co * plane + within;
            [[unroll]] for (int q = 0; q < TNV; ++q) {
                [[unroll]] for (int j = 0; j < 4; ++j) {
                    uint co = (co4 + uint(q)) * 4u + uint(j);
                    if (pix < p.pixels && co < p.Co) {
                        oh[(outBase + co * plane) / 2u] = packedHalves(acc[t][q][j] + bias[q][j], acc[t + 1][q][j] + bias[q][j]);
                    }
                }
            }
        }
        return;
    }
    [[unroll]] for (int t = 0; t < TM; ++t) {
        uint pix = pix0 + uint(t);
        uint n = pix / plane, within = pix % plane;
        uint outBase = n * p.Co * plane + within;
        [[unroll]] for (int q = 0; q < TNV; ++q) {
            [[unroll]] for (int j = 0; j < 4; ++j) {
                uint co = (co4 + uint(q)) * 4u + uint(j);
                if (pix < p.pixels && co < p.Co) o[outBase + co * plane] = acc[t][q][j] + bias[q][j];
            }
        }
    }
}
