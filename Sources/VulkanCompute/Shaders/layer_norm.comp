#version 450
// One workgroup per row: two-pass mean and variance over the last axis, then the affine. Reads through texel
// views: RGBA32F when `vectorised` (width a multiple of 4), else R32F.
layout(local_size_x = 128) in;
layout(std430, binding = 0) writeonly buffer OutV { vec4 ov[]; };
layout(std430, binding = 0) writeonly buffer OutS { float os[]; };
layout(binding = 4) uniform samplerBuffer XV;
layout(binding = 5) uniform samplerBuffer XS;
layout(binding = 6) uniform samplerBuffer Gamma;
layout(binding = 7) uniform samplerBuffer Beta;
layout(push_constant) uniform Params {
    uint width; float eps; uint hasWeight; uint hasBias; uint vectorised; uint xTexel; uint xScalar; uint gammaOffset; uint betaOffset;
} p;

shared float partial[128];

float workgroupSum(float v) {
    uint t = gl_LocalInvocationID.x;
    partial[t] = v;
    barrier();
    for (uint s = 64u; s > 0u; s >>= 1u) {
        if (t < s) partial[t] += partial[t + s];
        barrier();
    }
    float total = partial[0];
    barrier();
    return total;
}

float affine(float y, uint i) {
    if (p.hasWeight != 0u) y *= texelFetch(Gamma, int(p.gammaOffset + i)).x;
    if (p.hasBias != 0u) y += texelFetch(Beta, int(p.betaOffset + i)).x;
    return y;
}

void main() {
    uint t = gl_LocalInvocationID.x;
    uint base = (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * p.width;
    float n = float(p.width);
    if (p.vectorised != 0u) {
        uint count4 = p.width / 4u;
        int b4 = int(p.xTexel + base / 4u);
        vec4 sum = vec4(0.0);
        for (uint i = t; i < count4; i += 128u) sum += texelFetch(XV, b4 + int(i));
        float mean = workgroupSum(sum.x + sum.y + sum.z + sum.w) / n;
        vec4 squares = vec4(0.0);
        for (uint i = t; i < count4; i += 128u) { vec4 d = texelFetch(XV, b4 + int(i)) - mean; squares += d * d; }
        float inverse = inversesqrt(workgroupSum(squares.x + squares.y + squares.z + squares.w) / n + p.eps);
        for (uint i = t; i < count4; i += 128u) {
            vec4 y = (texelFetch(XV, b4 + int(i)) - mean) * inverse;
            uint c = 4u * i;
            ov[base / 4u + i] = vec4(affine(y.x, c), affine(y.y, c + 1u), affine(y.z, c + 2u), affine(y.w, c + 3u));
        }
    } else {
        int b1 = int(p.xScalar + base);
        float sum = 0.0;
        for (uint i = t; i < p.width; i += 128u) sum += texelFetch(XS, b1 + int(i)).x;
        float mean = workgroupSum(sum) / n;
        float squares = 0.0;
        for (uint i = t; i < p.width; i += 128u) { float d = texelFetch(XS, b1 + int(i)).x - mean; squares += d * d; }
        float inverse = inversesqrt(workgroupSum(squares) / n + p.eps);
        for (uint i = t; i < p.width; i += 128u) os[base + i] = affine((texelFetch(XS, b1 + int(i)).x - mean) * inverse, i);
    }
}
