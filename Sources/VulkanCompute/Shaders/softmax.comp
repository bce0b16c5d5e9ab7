#version 450
// One workgroup per row: max, Σ exp(x − max), normalise. A row with no finite maximum (all −inf) gives zeros,
// as in the CPU reference. Reads through texel views: RGBA32F when `vectorised` (width a multiple of 4), else R32F.
layout(local_size_x = 128) in;
layout(std430, binding = 0) writeonly buffer OutV { vec4 ov[]; };
layout(std430, binding = 0) writeonly buffer OutS { float os[]; };
layout(binding = 4) uniform samplerBuffer XV;
layout(binding = 5) uniform samplerBuffer XS;
layout(push_constant) uniform Params { uint width; uint vectorised; uint xTexel; uint xScalar; } p;

shared float partial[128];

float workgroupReduce(float v, bool isMax) {
    uint t = gl_LocalInvocationID.x;
    partial[t] = v;
    barrier();
    for (uint s = 64u; s > 0u; s >>= 1u) {
        if (t < s) partial[t] = isMax ? max(partial[t], partial[t + s]) : partial[t] + partial[t + s];
        barrier();
    }
    float total = partial[0];
    barrier();
    return total;
}

void main() {
    uint t = gl_LocalInvocationID.x;
    uint base = (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * p.width;
    const float negativeInfinity = -1.0 / 0.0;
    if (p.vectorised != 0u) {
        uint count4 = p.width / 4u;
        int b4 = int(p.xTexel + base / 4u);
        vec4 top4 = vec4(negativeInfinity);
        for (uint i = t; i < count4; i += 128u) top4 = max(top4, texelFetch(XV, b4 + int(i)));
        float top = workgroupReduce(max(max(top4.x, top4.y), max(top4.z, top4.w)), true);
        if (isinf(top) || isnan(top)) {
            for (uint i = t; i < count4; i += 128u) ov[base / 4u + i] = vec4(0.0);
            return;
        }
        vec4 sum = vec4(0.0);
        for (uint i = t; i < count4; i += 128u) sum += exp(texelFetch(XV, b4 + int(i)) - top);
        float total = workgroupReduce(sum.x + sum.y + sum.z + sum.w, false);
        for (uint i = t; i < count4; i += 128u) ov[base / 4u + i] = exp(texelFetch(XV, b4 + int(i)) - top) / total;
    } else {
        int b1 = int(p.xScalar + base);
        float top = negativeInfinity;
        for (uint i = t; i < p.width; i += 128u) top = max(top, texelFetch(XS, b1 + int(i)).x);
        top = workgroupReduce(top, true);
        if (isinf(top) || isnan(top)) {
            for (uint i = t; i < p.width; i += 128u) os[base + i] = 0.0;
            return;
        }
        float sum = 0.0;
        for (uint i = t; i < p.width; i += 128u) sum += exp(texelFetch(XS, b1 + int(i)).x - top);
        float total = workgroupReduce(sum, false);
        for (uint i = t; i < p.width; i += 128u) os[base + i] = exp(texelFetch(XS, b1 + int(i)).x - top) / total;
    }
}
