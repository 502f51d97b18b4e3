// digitscan native convolution kernels (NHWC, float32): forward (with optional bias and ReLU),
// input gradient (stride 1) and filter gradient, as packed GEMMs with an AVX-512 micro-kernel.
#pragma once

struct ConvGeom {
  int n, h, w, c;       // input
  int kh, kw;           // filter spatial size
  int sh, sw;           // strides
  int pt, pl;           // top and left zero padding
  int oh, ow, co;       // output
};

bool ds_cpu_supported();
// y[n,oh,ow,co] = sum x[n, oh*sh+i-pt, ow*sw+j-pl, ci] * f[i,j,ci,co] (+ bias[co]) (ReLU if relu)
void ds_conv2d(const ConvGeom& g, const float* x, const float* f, const float* bias, bool relu, float* y);
// dx for stride 1: dx[n,ih,iw,ci] = sum dy[n, ih+pt-i, iw+pl-j, co] * f[i,j,ci,co]
void ds_conv2d_backprop_input(const ConvGeom& g, const float* dy, const float* f, float* dx);
// df[i,j,ci,co] = sum over n,oh,ow of x[n, oh*sh+i-pt, ow*sw+j-pl, ci] * dy[n,oh,ow,co]
void ds_conv2d_backprop_filter(const ConvGeom& g, const float* x, const float* dy, float* df);
// Max-pool gradient (NHWC; geometry as for a conv with c == co): each window's gradient goes to its
// first largest input (row-major order), as TensorFlow.js's cpu backend does.
void ds_max_pool_grad(const ConvGeom& g, const float* x, const float* dy, float* dx);
