// Included by conv2d_rows16.comp and conv2d_rows8.comp, which define TM (pixels per invocation).
//
// A variant of conv2d_texel.comp for stride 1, kernels at most 3 wide, and output rows that are a multiple of
// TM wide, so every invocation's TM pixels lie in one output row. Neighbouring taps along x then read the same
// input texels shifted by one, so each (ky, input-channel slab) fetches the TM + kw − 1 input texels once and
// reuses them for every kx: about a third of the input fetches of the general kernel for 3 × 3 convolutions.
// Texel fetches are what bounds these kernels on llvmpipe. Operand layouts and output as in conv2d_texel.comp.
#extension GL_EXT_control_flow_attributes : require
#define TNV 4
layout(local_size_x = 8, local_size_y = 8) in;
layout(std430, binding = 0) writeonly buffer OutS { float o[]; };
layout(std430, binding = 0) writeonly buffer OutV { vec4 ov[]; };
layout(binding = 4) uniform samplerBuffer A;
layout(binding = 5) uniform samplerBuffer W;
layout(binding = 6) uniform samplerBuffer Bias;
layout(push_constant) uniform Params {
    uint pixels; uint Ho; uint Wo; uint Hp; uint Wp; uint Ci4; uint Co4; uint Co;
    uint kh; uint kw; uint stride; uint aOffset; uint wOffset; uint hasBias; uint biasOffset;
} p;

// One tap kx of the current (ky, input-channel slab): fetch its 4 × 4·TNV weights, accumulate every pixel.
#define TAP(KX) { \
    int row = wRow + (KX * 4 * Ci4 + 4 * c4) * Co4; \
    vec4 w0[TNV], w1[TNV], w2[TNV], w3[TNV]; \
    [[unroll]] for (int q = 0; q < TNV; ++q) { \
        w0[q] = texelFetch(W, row + q); \
        w1[q] = texelFetch(W, row + Co4 + q); \
        w2[q] = texelFetch(W, row + 2 * Co4 + q); \
        w3[q] = texelFetch(W, row + 3 * Co4 + q); \
    } \
    [[unroll]] for (int t = 0; t < TM; ++t) { \
        vec4 v = a[t + KX]; \
        [[unroll]] for (int q = 0; q < TNV; ++q) acc[t][q] += v.x * w0[q] + v.y * w1[q] + v.z * w2[q] + v.w * w3[q]; \
    } \
}

void main() {
    uint pix0 = gl_GlobalInvocationID.x * TM;
    uint co4 = gl_GlobalInvocationID.y * TNV;
    if (pix0 >= p.pixels || co4 >= p.Co4) return;
    int Ci4 = int(p.Ci4), Co4 = int(p.Co4), Wp = int(p.Wp), kw = int(p.kw);
    uint ox0 = pix0 % p.Wo, rest = pix0 / p.Wo;
    uint oy = rest % p.Ho, n = rest / p.Ho;
    int rowBase = int(p.aOffset + ((n * p.Hp + oy) * p.Wp + ox0) * p.Ci4);
    vec4 acc[TM][TNV];
    [[unroll]] for (int t = 0; t < TM; ++t) [[unroll]] for (int q = 0; q < TNV; ++q) acc[t][q] = vec4(0.0);
    for (int ky = 0; ky < int(p.kh); ++ky) {
        int inputRow = rowBase + ky * Wp * Ci4;
        int wRow = int(p.wOffset) + ky * kw * 4 * Ci4 * Co4 + int(co4);
        for (int c4 = 0; c4 < Ci4; ++c4) {
            vec4 a[TM + 2];
            [[unroll]] for (int j = 0; j < TM; ++j) a[j] = texelFetch(A, inputRow + j * Ci4 + c4);
            a[TM] = kw > 1 ? texelFetch(A, inputRow + TM * Ci4 + c4) : vec4(0.0);
            a[TM + 1] = kw > 2 ? texelFetch(A, inputRow + (TM + 1) * Ci4 + c4) : vec4(0.0);
            // The three taps written out, so that a[t + kx] has constant indices and stays in registers.
            TAP(0)
            if (kw > 1) { TAP(1) }
            if (kw > 2) { TAP(2) }
        }
    }
    vec4 bias[TNV];
    [[unroll]] for (int q = 0; q < TNV; ++q) bias[q] = p.hasBias != 0u ? texelFetch(Bias, int(p.biasOffset + co4) + q) : vec4(0.0);
    // TM is a multiple of 4 and divides Wo, so every group of 4 pixels is one aligned vec4 of an output row.
    uint plane = p.Ho * p.Wo;
    uint outBase = n * p.Co * plane + oy * p.Wo + ox0;
    [[unroll]] for (int g = 0; g < TM / 4; ++g) {
        [[unroll]] for (int q = 0; q < TNV; ++q) {
            [[unroll]] for (int j = 0; j < 4; ++j) {
                uint co = (co4 + uint(q)) * 4u + uint(j);
                vec4 v = vec4(acc[4 * g][q][j], acc[4 * g + 1][q][j], acc[4 * g + 2][q][j], acc[4 * g + 3][q][j]) + bias[q][j];
                if (co < p.Co) ov[(outBase + co * plane) / 4u + uint(g)] = v;
            }
        }
    }
}
