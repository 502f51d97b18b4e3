#include "conv.h"

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace {

// C[MR x 16*NV] (+)= sum_k A(r,k) * B[k][0..16*NV), A(r,k) = A[r*ars + k*aks], B packed 16*NV floats per k.
// Writes `rows` rows and the columns set in `mask` of C (row stride ldc); then adds bias, applies ReLU.
template <int NV, int MR>
__attribute__((target("avx512f,fma")))
void micro(int K, const float* A, long ars, long aks, const float* B, float* C, long ldc, int rows, __mmask32 mask,
           bool acc, const float* bias, bool relu) {
  constexpr int NR = 16 * NV;
  __m512 c[MR][NV];
  for (int r = 0; r < MR; r++)
    for (int v = 0; v < NV; v++) c[r][v] = _mm512_setzero_ps();
  for (int k = 0; k < K; k++) {
    __m512 b[NV];
    for (int v = 0; v < NV; v++) b[v] = _mm512_loadu_ps(B + 16 * v);
#pragma GCC unroll 28
    for (int r = 0; r < MR; r++) {
      const __m512 a = _mm512_set1_ps(A[r * ars]);
      for (int v = 0; v < NV; v++) c[r][v] = _mm512_fmadd_ps(a, b[v], c[r][v]);
    }
    A += aks;
    B += NR;
  }
  __mmask16 m[NV];
  __m512 bb[NV];
  for (int v = 0; v < NV; v++) {
    m[v] = (__mmask16)((mask >> (16 * v)) & 0xffff);
    bb[v] = bias ? _mm512_maskz_loadu_ps(m[v], bias + 16 * v) : _mm512_setzero_ps();
  }
  const __m512 zero = _mm512_setzero_ps();
  for (int r = 0; r < rows; r++) {
    float* cr = C + r * ldc;
    for (int v = 0; v < NV; v++) {
      __m512 x = c[r][v];
      if (acc) x = _mm512_add_ps(x, _mm512_maskz_loadu_ps(m[v], cr + 16 * v));
      if (bias) x = _mm512_add_ps(x, bb[v]);
      if (relu) x = _mm512_max_ps(x, zero);
      _mm512_mask_storeu_ps(cr + 16 * v, m[v], x);
    }
  }
}

// As micro, for at most 8 columns: 256-bit vectors (two FMAs a cycle, as one 512-bit one) and no
// lanes wasted on a narrow output.
template <int MR>
__attribute__((target("avx512f,avx512vl,fma")))
void microY(int K, const float* A, long ars, long aks, const float* B, float* C, long ldc, int rows, __mmask32 mask,
            bool acc, const float* bias, bool relu) {
  __m256 c[MR];
  for (int r = 0; r < MR; r++) c[r] = _mm256_setzero_ps();
  for (int k = 0; k < K; k++) {
    const __m256 b = _mm256_loadu_ps(B);
#pragma GCC unroll 28
    for (int r = 0; r < MR; r++) c[r] = _mm256_fmadd_ps(_mm256_set1_ps(A[r * ars]), b, c[r]);
    A += aks;
    B += 8;
  }
  const __mmask8 m = (__mmask8)(mask & 0xff);
  const __m256 bb = bias ? _mm256_maskz_loadu_ps(m, bias) : _mm256_setzero_ps();
  const __m256 zero = _mm256_setzero_ps();
  for (int r = 0; r < rows; r++) {
    float* cr = C + r * ldc;
    __m256 x = c[r];
    if (acc) x = _mm256_add_ps(x, _mm256_maskz_loadu_ps(m, cr));
    if (bias) x = _mm256_add_ps(x, bb);
    if (relu) x = _mm256_max_ps(x, zero);
    _mm256_mask_storeu_ps(cr, m, x);
  }
}

// The micro-kernel for NR = 8 (NV == 0) or 16 * NV columns.
template <int NV, int MR>
inline void microN(int K, const float* A, long ars, long aks, const float* B, float* C, long ldc, int rows, __mmask32 mask,
                   bool acc, const float* bias, bool relu) {
  if constexpr (NV == 0) microY<MR>(K, A, ars, aks, B, C, ldc, rows, mask, acc, bias, relu);
  else micro<NV, MR>(K, A, ars, aks, B, C, ldc, rows, mask, acc, bias, relu);
}

__mmask32 colMask(int cols) { return cols >= 32 ? 0xffffffffu : ((1u << cols) - 1u); }

// Packs columns [c0, c0+nr) of a row-major [K][ld] matrix as [K][nr], zero-padded past `cols`.
void packPanel(const float* src, long ld, int K, int c0, int cols, int nr, float* out) {
  for (int k = 0; k < K; k++) {
    float* o = out + (size_t)k * nr;
    std::memcpy(o, src + k * ld + c0, cols * sizeof(float));
    for (int q = cols; q < nr; q++) o[q] = 0.f;
  }
}

// The im2col row of output pixel m (K = kh*kw*c floats, zero outside the image).
inline void im2colAt(const ConvGeom& g, const float* x, long n, long oh, long ow, float* row) {
  const int y0 = (int)oh * g.sh - g.pt, x0 = (int)ow * g.sw - g.pl;
  const float* xn = x + (size_t)n * g.h * g.w * g.c;
  const bool inside = y0 >= 0 && x0 >= 0 && y0 + g.kh <= g.h && x0 + g.kw <= g.w;
  if (g.c == 1) {
    for (int i = 0; i < g.kh; i++) {
      const int yy = y0 + i;
      const float* src = xn + (size_t)yy * g.w + x0;
      float* dst = row + i * g.kw;
      if (inside) {
        for (int j = 0; j < g.kw; j++) dst[j] = src[j];
      } else {
        for (int j = 0; j < g.kw; j++) {
          const int xx = x0 + j;
          dst[j] = (yy < 0 || yy >= g.h || xx < 0 || xx >= g.w) ? 0.f : src[j];
        }
      }
    }
    return;
  }
  const size_t seg = (size_t)g.kw * g.c;  // one window row: kw*c floats, contiguous in x
  for (int i = 0; i < g.kh; i++) {
    const int yy = y0 + i;
    float* dst = row + i * seg;
    if (inside) {
      std::memcpy(dst, xn + ((size_t)yy * g.w + x0) * g.c, seg * sizeof(float));
      continue;
    }
    if (yy < 0 || yy >= g.h) {
      std::memset(dst, 0, seg * sizeof(float));
      continue;
    }
    // Zeros left and right of the image, one copy of the columns inside.
    const int j0 = std::max(0, -x0), j1 = std::min(g.kw, g.w - x0);
    if (j1 <= j0) {
      std::memset(dst, 0, seg * sizeof(float));
      continue;
    }
    if (j0 > 0) std::memset(dst, 0, (size_t)j0 * g.c * sizeof(float));
    std::memcpy(dst + (size_t)j0 * g.c, xn + ((size_t)yy * g.w + x0 + j0) * g.c, (size_t)(j1 - j0) * g.c * sizeof(float));
    if (j1 < g.kw) std::memset(dst + (size_t)j1 * g.c, 0, (size_t)(g.kw - j1) * g.c * sizeof(float));
  }
}

inline void im2colRows(const ConvGeom& g, const float* x, long m0, int rows, float* dst, long K) {
  long ow = m0 % g.ow;
  long t = m0 / g.ow;
  long oh = t % g.oh;
  long n = t / g.oh;
  for (int r = 0; r < rows; r++) {
    im2colAt(g, x, n, oh, ow, dst + r * K);
    if (++ow == g.ow) {
      ow = 0;
      if (++oh == g.oh) {
        oh = 0;
        n++;
      }
    }
  }
}

thread_local std::vector<float> tlB, tlRows, tlC, tlF;

// y = im2col(x) * f for few output channels (co <= 4): a dot product per pixel and channel.
__attribute__((target("avx512f,fma")))
void convFewOutputs(const ConvGeom& g, const float* x, const float* f, const float* bias, bool relu, float* y) {
  const int K = g.kh * g.kw * g.c;
  const long M = (long)g.n * g.oh * g.ow;
  tlF.resize((size_t)g.co * K);
  for (int o = 0; o < g.co; o++)
    for (int k = 0; k < K; k++) tlF[(size_t)o * K + k] = f[(size_t)k * g.co + o];
  constexpr int RB = 64;  // im2col rows made at a time
  tlRows.resize((size_t)RB * K);
  const int full = K / 16;
  const __mmask16 tail = (__mmask16)((1u << (K % 16)) - 1u);
  for (long m0 = 0; m0 < M; m0 += RB) {
    const int rows = (int)std::min<long>(RB, M - m0);
    im2colRows(g, x, m0, rows, tlRows.data(), K);
    for (int r = 0; r < rows; r++) {
      const float* row = tlRows.data() + (size_t)r * K;
      const long m = m0 + r;
      for (int o = 0; o < g.co; o++) {
        const float* fo = tlF.data() + (size_t)o * K;
        __m512 s = _mm512_setzero_ps();
        for (int q = 0; q < full; q++) s = _mm512_fmadd_ps(_mm512_loadu_ps(row + 16 * q), _mm512_loadu_ps(fo + 16 * q), s);
        if (tail) s = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(tail, row + 16 * full), _mm512_maskz_loadu_ps(tail, fo + 16 * full), s);
        float v = _mm512_reduce_add_ps(s) + (bias ? bias[o] : 0.f);
        y[m * g.co + o] = relu && v < 0.f ? 0.f : v;
      }
    }
  }
}

template <int NV, int MR>
void convTiles(const ConvGeom& g, const float* x, const float* f, const float* bias, bool relu, float* y) {
  constexpr int NR = NV == 0 ? 8 : 16 * NV;
  const int K = g.kh * g.kw * g.c;
  const long M = (long)g.n * g.oh * g.ow;
  const int np = (g.co + NR - 1) / NR;
  tlB.resize((size_t)np * K * NR);
  for (int p = 0; p < np; p++) packPanel(f, g.co, K, p * NR, std::min(NR, g.co - p * NR), NR, tlB.data() + (size_t)p * K * NR);
  tlRows.resize((size_t)MR * K);
  for (long m0 = 0; m0 < M; m0 += MR) {
    const int rows = (int)std::min<long>(MR, M - m0);
    im2colRows(g, x, m0, rows, tlRows.data(), K);
    // Missing rows of a last, partial tile are zero.
    if (rows < MR) std::memset(tlRows.data() + (size_t)rows * K, 0, (size_t)(MR - rows) * K * sizeof(float));
    for (int p = 0; p < np; p++) {
      const int c0 = p * NR;
      microN<NV, MR>(K, tlRows.data(), K, 1, tlB.data() + (size_t)p * K * NR, y + m0 * g.co + c0, g.co, rows,
                    colMask(g.co - c0), false, bias ? bias + c0 : nullptr, relu);
    }
  }
}

template <int NV, int MR>
void filterGradTiles(const ConvGeom& g, const float* x, const float* dy, float* df) {
  constexpr int NR = NV == 0 ? 8 : 16 * NV;
  const int K = g.kh * g.kw * g.c;
  const long M = (long)g.n * g.oh * g.ow;
  const int np = (g.co + NR - 1) / NR;
  constexpr int MB = 256;  // output pixels per block: the GEMM's reduction, in cache
  const long ldc = (long)np * NR;
  tlC.assign((size_t)K * ldc, 0.f);
  // im2col rows, plus MR floats of slack: the last tile of filter rows reads (and never stores) past K.
  tlRows.resize((size_t)MB * K + MR);
  tlB.resize((size_t)np * MB * NR);
  for (long m0 = 0; m0 < M; m0 += MB) {
    const int mb = (int)std::min<long>(MB, M - m0);
    im2colRows(g, x, m0, mb, tlRows.data(), K);
    for (int p = 0; p < np; p++) packPanel(dy + m0 * g.co, g.co, mb, p * NR, std::min(NR, g.co - p * NR), NR, tlB.data() + (size_t)p * MB * NR);
    // dW rows k0..k0+MR: A(r, m) = im2col[m][k0 + r], read in place.
    for (int k0 = 0; k0 < K; k0 += MR)
      for (int p = 0; p < np; p++)
        microN<NV, MR>(mb, tlRows.data() + k0, 1, K, tlB.data() + (size_t)p * MB * NR, tlC.data() + k0 * ldc + p * NR, ldc,
                      std::min(MR, K - k0), 0xffffffffu, true, nullptr, false);
  }
  for (int k = 0; k < K; k++) std::memcpy(df + (size_t)k * g.co, tlC.data() + (size_t)k * ldc, g.co * sizeof(float));
}

}  // namespace

bool ds_cpu_supported() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
}

void ds_conv2d(const ConvGeom& g, const float* x, const float* f, const float* bias, bool relu, float* y) {
  if (g.co <= 4) return convFewOutputs(g, x, f, bias, relu, y);
  if (g.co <= 8) return convTiles<0, 28>(g, x, f, bias, relu, y);
  if (g.co <= 16) return convTiles<1, 28>(g, x, f, bias, relu, y);
  return convTiles<2, 14>(g, x, f, bias, relu, y);
}

void ds_conv2d_backprop_input(const ConvGeom& g, const float* dy, const float* f, float* dx) {
  // A forward conv of dy with the flipped, channel-swapped filter: f'[i][j][co][ci] = f[kh-1-i][kw-1-j][ci][co].
  std::vector<float> fl((size_t)g.kh * g.kw * g.co * g.c);
  for (int i = 0; i < g.kh; i++)
    for (int j = 0; j < g.kw; j++)
      for (int ci = 0; ci < g.c; ci++)
        for (int o = 0; o < g.co; o++)
          fl[(((size_t)i * g.kw + j) * g.co + o) * g.c + ci] = f[(((size_t)(g.kh - 1 - i) * g.kw + (g.kw - 1 - j)) * g.c + ci) * g.co + o];
  ConvGeom d{};
  d.n = g.n; d.h = g.oh; d.w = g.ow; d.c = g.co;
  d.kh = g.kh; d.kw = g.kw; d.sh = 1; d.sw = 1;
  d.pt = g.kh - 1 - g.pt; d.pl = g.kw - 1 - g.pl;
  d.oh = g.h; d.ow = g.w; d.co = g.c;
  ds_conv2d(d, dy, fl.data(), nullptr, false, dx);
}

void ds_conv2d_backprop_filter(const ConvGeom& g, const float* x, const float* dy, float* df) {
  if (g.co <= 8) return filterGradTiles<0, 28>(g, x, dy, df);
  if (g.co <= 16) return filterGradTiles<1, 28>(g, x, dy, df);
  return filterGradTiles<2, 14>(g, x, dy, df);
}

namespace {

// 2x2 windows, stride 2, no padding: branch-free over 16 channels at a time (random data makes the
// comparisons unpredictable). Ties go to the first of the window in row-major order.
__attribute__((target("avx512f")))
void maxPoolGrad2x2(const ConvGeom& g, const float* x, const float* dy, float* dx) {
  std::memset(dx, 0, (size_t)g.n * g.h * g.w * g.c * sizeof(float));
  const long rowStride = (long)g.w * g.c;
  for (int n = 0; n < g.n; n++) {
    const float* xn = x + (size_t)n * g.h * g.w * g.c;
    float* dxn = dx + (size_t)n * g.h * g.w * g.c;
    for (int oy = 0; oy < g.oh; oy++)
      for (int ox = 0; ox < g.ow; ox++) {
        const long p00 = ((long)(2 * oy) * g.w + 2 * ox) * g.c;
        const long p01 = p00 + g.c, p10 = p00 + rowStride, p11 = p10 + g.c;
        const float* d = dy + (((size_t)n * g.oh + oy) * g.ow + ox) * g.c;
        for (int c0 = 0; c0 < g.c; c0 += 16) {
          const __mmask16 m = (__mmask16)(g.c - c0 >= 16 ? 0xffff : ((1u << (g.c - c0)) - 1u));
          const __m512 a = _mm512_maskz_loadu_ps(m, xn + p00 + c0);
          const __m512 b = _mm512_maskz_loadu_ps(m, xn + p01 + c0);
          const __m512 c = _mm512_maskz_loadu_ps(m, xn + p10 + c0);
          const __m512 e = _mm512_maskz_loadu_ps(m, xn + p11 + c0);
          const __m512 dv = _mm512_maskz_loadu_ps(m, d + c0);
          // Strictly greater replaces: the first maximum wins.
          const __mmask16 bWins = _mm512_cmp_ps_mask(b, a, _CMP_GT_OQ);
          const __m512 ab = _mm512_mask_blend_ps(bWins, a, b);
          const __mmask16 cWins = _mm512_cmp_ps_mask(c, ab, _CMP_GT_OQ);
          const __m512 abc = _mm512_mask_blend_ps(cWins, ab, c);
          const __mmask16 eWins = _mm512_cmp_ps_mask(e, abc, _CMP_GT_OQ);
          const __mmask16 atE = eWins;
          const __mmask16 atC = cWins & ~eWins;
          const __mmask16 atB = bWins & ~cWins & ~eWins;
          const __mmask16 atA = ~bWins & ~cWins & ~eWins;
          const __m512 z = _mm512_setzero_ps();
          _mm512_mask_storeu_ps(dxn + p00 + c0, m, _mm512_mask_blend_ps(atA, z, dv));
          _mm512_mask_storeu_ps(dxn + p01 + c0, m, _mm512_mask_blend_ps(atB, z, dv));
          _mm512_mask_storeu_ps(dxn + p10 + c0, m, _mm512_mask_blend_ps(atC, z, dv));
          _mm512_mask_storeu_ps(dxn + p11 + c0, m, _mm512_mask_blend_ps(atE, z, dv));
        }
      }
  }
}

}  // namespace

void ds_max_pool_grad(const ConvGeom& g, const float* x, const float* dy, float* dx) {
  if (g.kh == 2 && g.kw == 2 && g.sh == 2 && g.sw == 2 && g.pt == 0 && g.pl == 0) return maxPoolGrad2x2(g, x, dy, dx);
  std::memset(dx, 0, (size_t)g.n * g.h * g.w * g.c * sizeof(float));
  std::vector<float> best(g.c);
  std::vector<long> at(g.c);
  for (int n = 0; n < g.n; n++) {
    const float* xn = x + (size_t)n * g.h * g.w * g.c;
    float* dxn = dx + (size_t)n * g.h * g.w * g.c;
    for (int oy = 0; oy < g.oh; oy++) {
      const int y0 = std::max(0, oy * g.sh - g.pt), y1 = std::min(g.h, oy * g.sh - g.pt + g.kh);
      for (int ox = 0; ox < g.ow; ox++) {
        const int x0 = std::max(0, ox * g.sw - g.pl), x1 = std::min(g.w, ox * g.sw - g.pl + g.kw);
        std::fill(best.begin(), best.end(), -INFINITY);
        std::fill(at.begin(), at.end(), -1L);
        for (int yy = y0; yy < y1; yy++)
          for (int xx = x0; xx < x1; xx++) {
            const long base = ((long)yy * g.w + xx) * g.c;
            const float* px = xn + base;
            for (int ci = 0; ci < g.c; ci++)
              if (px[ci] > best[ci]) {
                best[ci] = px[ci];
                at[ci] = base + ci;
              }
          }
        const float* d = dy + (((size_t)n * g.oh + oy) * g.ow + ox) * g.c;
        for (int ci = 0; ci < g.c; ci++)
          if (at[ci] >= 0) dxn[at[ci]] += d[ci];
      }
    }
  }
}
