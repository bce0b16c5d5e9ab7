#version 450
// 16 pixels per invocation; see conv2d_rows.glsl.
#define TM 16
#include "conv2d_rows.glsl"
