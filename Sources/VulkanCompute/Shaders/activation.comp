#version 450
// Pointwise nonlinearities: 0 silu, 1 gelu (exact erf form), 2 quick gelu.
layout(local_size_x = 64) in;
layout(std430, binding = 0) writeonly buffer Out { float o[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(push_constant) uniform Params { uint count; uint kind; } p;

// GLSL has no erf; Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7).
float erfApprox(float v) {
    float s = sign(v), a = abs(v);
    float t = 1.0 / (1.0 + 0.3275911 * a);
    float poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
    return s * (1.0 - poly * exp(-a * a));
}

void main() {
    uint i = gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 64u + gl_GlobalInvocationID.x;
    if (i >= p.count) return;
    float v = x[i];
    float r;
    if (p.kind == 0u) r = v / (1.0 + exp(-v));
    else if (p.kind == 1u) r = 0.5 * v * (1.0 + erfApprox(v * 0.70710678118654752));
    else r = v / (1.0 + exp(-1.702 * v));
    o[i] = r;
}
