#version 450
// 8 pixels per invocation; see conv2d_rows.glsl.
#define TM 8
#include "conv2d_rows.glsl"
