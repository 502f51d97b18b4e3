// Native image kernels of the preprocess stage: the same pixels as their TypeScript versions in
// src/preprocess/steps.ts (which run when the addon is not built), without their warm-up.
#include "image.h"

#include <cstring>

// out[i] = 1 where gray[i] < t[y * cells + x / cell], else 0.
void ds_threshold_cells(const uint8_t* gray, int w, int h, int cell, int cells, const int32_t* t, uint8_t* out) {
  for (int y = 0; y < h; y++) {
    const uint8_t* g = gray + (size_t)y * w;
    uint8_t* o = out + (size_t)y * w;
    const int32_t* ty = t + (size_t)y * cells;
    for (int cx = 0; cx < cells; cx++) {
      const int x0 = cx * cell;
      if (x0 >= w) break;
      const int x1 = x0 + cell < w ? x0 + cell : w;
      const int32_t a = ty[cx];
      if (a <= 0) {
        memset(o + x0, 0, x1 - x0);
      } else if (a > 255) {
        memset(o + x0, 1, x1 - x0);
      } else {
        const uint8_t b = (uint8_t)a;
        for (int x = x0; x < x1; x++) o[x] = g[x] < b;
      }
    }
  }
}

namespace {

// Whether the 8 bytes at p are all zero.
inline bool empty8(const uint8_t* p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v == 0;
}

}  // namespace

void ds_row_runs(const uint8_t* data, int w, int h, std::vector<int32_t>* runs) {
  for (int y = 0; y < h; y++) {
    const uint8_t* row = data + (size_t)y * w;
    int x = 0;
    while (x < w) {
      // Skip empty bytes eight at a time while no run is open.
      while (x + 8 <= w && empty8(row + x)) x += 8;
      while (x < w && !row[x]) x++;
      if (x >= w) break;
      const int start = x;
      while (x < w && row[x]) x++;
      runs->push_back(y);
      runs->push_back(start);
      runs->push_back(x);
    }
  }
}

void ds_column_runs(const uint8_t* data, int w, int h, std::vector<int32_t>* runs) {
  std::vector<int32_t> open(w, -1);
  // Open runs per group of eight columns, so that empty stretches with nothing open are skipped.
  std::vector<int32_t> openIn((w >> 3) + 1, 0);
  for (int y = 0; y < h; y++) {
    const uint8_t* row = data + (size_t)y * w;
    int x = 0;
    while (x < w) {
      if ((x & 7) == 0 && x + 8 <= w && openIn[x >> 3] == 0 && empty8(row + x)) {
        x += 8;
        continue;
      }
      if (row[x]) {
        if (open[x] < 0) {
          open[x] = y;
          openIn[x >> 3]++;
        }
      } else if (open[x] >= 0) {
        runs->push_back(x);
        runs->push_back(open[x]);
        runs->push_back(y);
        open[x] = -1;
        openIn[x >> 3]--;
      }
      x++;
    }
  }
  for (int x = 0; x < w; x++) {
    if (open[x] >= 0) {
      runs->push_back(x);
      runs->push_back(open[x]);
      runs->push_back(h);
    }
  }
}

void ds_paper_histogram(const uint8_t* gray, int w, int h, int cell, int cells, const int32_t* gains, int step, int32_t* hist) {
  for (int y = 0, r = 0; y < h; y += step, r++) {
    const uint8_t* g = gray + (size_t)y * w;
    const int32_t* gr = gains + (size_t)r * cells;
    for (int cx = 0; cx < cells; cx++) {
      const int x0 = cx * cell;
      if (x0 >= w) break;
      const int x1 = x0 + cell < w ? x0 + cell : w;
      const int64_t k = gr[cx];
      for (int x = x0; x < x1; x++) {
        // As JavaScript's (v * k) >> 16: the product taken to 32 bits, then shifted with its sign.
        const int32_t v = (int32_t)(uint32_t)(uint64_t)(g[x] * k) >> 16;
        if (v >= 0) hist[v > 255 ? 255 : v]++;
      }
    }
  }
}

void ds_cell_sums(const uint8_t* gray, int w, int h, int cell, const uint8_t* mask, int step, double* sums, int32_t* counts) {
  const int sw = (w + cell - 1) / cell;
  for (int y = 0; y < h; y += step) {
    const uint8_t* g = gray + (size_t)y * w;
    const uint8_t* m = mask ? mask + (size_t)y * w : nullptr;
    double* srow = sums + (size_t)(y / cell) * sw;
    int32_t* crow = counts ? counts + (size_t)(y / cell) * sw : nullptr;
    for (int cx = 0; cx < sw; cx++) {
      const int x0 = cx * cell;
      const int x1 = x0 + cell < w ? x0 + cell : w;
      uint32_t s = 0;
      int n = 0;
      if (m) {
        for (int x = x0; x < x1; x++) {
          if (m[x]) continue;
          s += g[x];
          n++;
        }
      } else {
        for (int x = x0; x < x1; x++) s += g[x];
        n = x1 - x0;
      }
      srow[cx] += s;
      if (crow) crow[cx] += n;
    }
  }
}

void ds_rotate_threshold(const uint8_t* src, int w, int h, const int32_t* chunks, int n, int32_t dx, int32_t dy, int cell, int cells,
                         const int32_t* tables, uint8_t* out0, uint8_t* out1) {
  const int64_t last = (int64_t)w * h;
  for (int k = 0; k < n; k++) {
    const int32_t* c = chunks + 6 * k;
    const int y = c[0];
    int32_t fx = c[3], fy = c[4];
    const int32_t* t = tables + c[5];
    uint8_t* o0 = out0 + (size_t)y * w;
    uint8_t* o1 = out1 ? out1 + (size_t)y * w : nullptr;
    for (int x = c[1]; x < c[2]; x++, fx += dx, fy += dy) {
      const int ax = (fx >> 8) & 255;
      const int ay = (fy >> 8) & 255;
      const int64_t p = (int64_t)(fy >> 16) * w + (fx >> 16);
      // (A source outside the image reads as 0, as a JavaScript typed array's undefined does.)
      int v = 0;
      if (p >= 0 && p + w + 1 < last) {
        const int top = src[p] * (256 - ax) + src[p + 1] * ax;
        const int bottom = src[p + w] * (256 - ax) + src[p + w + 1] * ax;
        v = (top * (256 - ay) + bottom * ay + 32768) >> 16;
      }
      const int ci = x / cell;
      o0[x] = v < t[ci];
      if (o1) o1[x] = v < t[cells + ci];
    }
  }
}
