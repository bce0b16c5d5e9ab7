#version 450
// Rows of width 2·half split into (h, g): out = h · gelu(g), diffusers' GEGLU.
layout(local_size_x = 64) in;
layout(std430, binding = 0) writeonly buffer Out { float o[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(push_constant) uniform Params { uint count; uint half_; } p;

float erfApprox(float v) {
    float s = sign(v), a = abs(v);
    float t = 1.0 / (1.0 + 0.3275911 * a);
    float poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
    return s * (1.0 - poly * exp(-a * a));
}

void main() {
    uint i = gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 64u + gl_GlobalInvocationID.x;
    if (i >= p.count) return;
    uint row = i / p.half_, column = i % p.half_;
    uint base = row * 2u * p.half_;
    float g = x[base + p.half_ + column];
    o[i] = x[base + column] * (0.5 * g * (1.0 + erfApprox(g * 0.70710678118654752)));
}
