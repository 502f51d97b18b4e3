// Native image kernels of the preprocess stage: the same pixels as their TypeScript versions in
// src/preprocess/steps.ts (which run when the addon is not built), without their warm-up.
#include "image.h"

#include <algorithm>
#include <cstdint>
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

namespace {

inline uint8_t clip8(int32_t s) { return (uint8_t)(s < 0 ? 0 : s > 255 ? 255 : s); }

}  // namespace

// The cubic (Catmull-Rom) kernel stretched to halve: output pixel x sits at source 2x + 0.5, and its
// weights for source pixels 2x-3 .. 2x+4 are (-48, -144, 464, 1776, 1776, 464, -144, -48) / 4096 in
// libvips' 12-bit fixed point, that is (-3, -9, 29, 111, ...) / 256, rounded by adding half.
__attribute__((target_clones("avx2", "default")))
void ds_halve_cubic(const uint8_t* src, int w, int h, int ch, uint8_t* out) {
  const int W = w * ch, ow = w / 2, oh = h / 2, OW = ow * ch;
  std::vector<uint8_t> mid(W);
  // The halved row's even and odd source pixels, two pixels of edge copies before and after:
  // E[(j + 2) * ch + c] = pixel 2j, O[(j + 2) * ch + c] = pixel 2j + 1 (clamped to the row).
  std::vector<int32_t> E((size_t)(ow + 5) * ch), O((size_t)(ow + 5) * ch);
  const uint8_t* rows[8];
  for (int y = 0; y < oh; y++) {
    // Down the columns first, rounded to 8 bits, then along the row, as libvips' reducev, reduceh.
    for (int k = 0; k < 8; k++) {
      int r = 2 * y - 3 + k;
      r = r < 0 ? 0 : r >= h ? h - 1 : r;
      rows[k] = src + (size_t)r * W;
    }
    // The kernel is symmetric and its weights multiples of 16: 16 x (111, 29, -9, -3) on the pairs.
    const uint8_t *r0 = rows[0], *r1 = rows[1], *r2 = rows[2], *r3 = rows[3], *r4 = rows[4], *r5 = rows[5], *r6 = rows[6], *r7 = rows[7];
    for (int i = 0; i < W; i++) {
      const int32_t s = 111 * (r3[i] + r4[i]) + 29 * (r2[i] + r5[i]) - 9 * (r1[i] + r6[i]) - 3 * (r0[i] + r7[i]) + 128;
      mid[i] = clip8(s >> 8);
    }
    for (int j = 0; j < ow + 5; j++) {
      int pe = 2 * (j - 2), po = pe + 1;
      pe = pe < 0 ? 0 : pe >= w ? w - 1 : pe;
      po = po < 0 ? 0 : po >= w ? w - 1 : po;
      for (int c = 0; c < ch; c++) {
        E[(size_t)j * ch + c] = mid[(size_t)pe * ch + c];
        O[(size_t)j * ch + c] = mid[(size_t)po * ch + c];
      }
    }
    uint8_t* o = out + (size_t)y * OW;
    const int32_t *e = E.data(), *d = O.data();
    for (int q = 0; q < OW; q++) {
      const int32_t s = 111 * (e[q + 2 * ch] + d[q + 2 * ch]) + 29 * (d[q + ch] + e[q + 3 * ch]) - 9 * (e[q + ch] + d[q + 3 * ch]) -
                        3 * (d[q] + e[q + 4 * ch]) + 128;
      o[q] = clip8(s >> 8);
    }
  }
}

namespace {

// Union-find root, halving the path on the way.
inline int32_t rootOf(std::vector<int32_t>& parent, int32_t a) {
  while (parent[a] != a) {
    parent[a] = parent[parent[a]];
    a = parent[a];
  }
  return a;
}

}  // namespace

int ds_label_components(const uint8_t* data, int w, int h, int32_t* labels, std::vector<int32_t>* stats) {
  std::vector<int32_t> runs;
  runs.reserve(3 * 4096);
  ds_row_runs(data, w, h, &runs);
  const int n = (int)(runs.size() / 3);
  std::vector<int32_t> parent(n);
  for (int i = 0; i < n; i++) parent[i] = i;
  // Runs of the row above that touch a run (8-connected: overlapping, or meeting at a corner) are joined;
  // the root is always the earlier run.
  int prev = 0, prevEnd = 0;  // the row above's runs: [prev, prevEnd)
  for (int i = 0; i < n;) {
    const int y = runs[3 * i];
    int j = i;
    while (j < n && runs[3 * j] == y) j++;
    if (!(prevEnd > prev && runs[3 * prev] == y - 1)) prev = prevEnd = i;
    int k = prev;
    for (int r = i; r < j; r++) {
      const int x0 = runs[3 * r + 1], x1 = runs[3 * r + 2];
      while (k < prevEnd && runs[3 * k + 2] < x0) k++;
      for (int q = k; q < prevEnd && runs[3 * q + 1] <= x1; q++) {
        const int32_t a = rootOf(parent, q), b = rootOf(parent, r);
        if (a < b) parent[b] = a;
        else if (b < a) parent[a] = b;
      }
    }
    prev = i;
    prevEnd = j;
    i = j;
  }
  // Components are numbered as OpenCV's block-based labelling numbers them: by the first 2 x 2 block
  // (in rows of blocks, left to right) that holds their ink.
  const int64_t bw = (w + 1) / 2;
  std::vector<int64_t> first(n, INT64_MAX);
  for (int i = 0; i < n; i++) {
    const int32_t r = rootOf(parent, i);
    const int64_t key = (int64_t)(runs[3 * i] >> 1) * bw + (runs[3 * i + 1] >> 1);
    if (key < first[r]) first[r] = key;
  }
  std::vector<int32_t> roots;
  for (int i = 0; i < n; i++)
    if (parent[i] == i) roots.push_back(i);
  std::sort(roots.begin(), roots.end(), [&](int32_t a, int32_t b) { return first[a] < first[b]; });
  std::vector<int32_t> label(n);
  for (size_t c = 0; c < roots.size(); c++) label[roots[c]] = (int32_t)c + 1;
  const int count = (int)roots.size();
  // Stats per component: left, top, right, bottom (then width, height), area.
  stats->assign((size_t)count * 5, 0);
  std::vector<int32_t> box((size_t)count * 4);
  for (int c = 0; c < count; c++) {
    box[4 * c] = w;
    box[4 * c + 1] = h;
    box[4 * c + 2] = -1;
    box[4 * c + 3] = -1;
  }
  memset(labels, 0, sizeof(int32_t) * (size_t)w * h);
  for (int i = 0; i < n; i++) {
    const int32_t l = label[rootOf(parent, i)];
    const int y = runs[3 * i], x0 = runs[3 * i + 1], x1 = runs[3 * i + 2];
    int32_t* row = labels + (size_t)y * w;
    for (int x = x0; x < x1; x++) row[x] = l;
    int32_t* b = &box[4 * (l - 1)];
    if (x0 < b[0]) b[0] = x0;
    if (y < b[1]) b[1] = y;
    if (x1 - 1 > b[2]) b[2] = x1 - 1;
    if (y > b[3]) b[3] = y;
    (*stats)[5 * (l - 1) + 4] += x1 - x0;
  }
  for (int c = 0; c < count; c++) {
    int32_t* s = &(*stats)[5 * c];
    s[0] = box[4 * c];
    s[1] = box[4 * c + 1];
    s[2] = box[4 * c + 2] - box[4 * c] + 1;
    s[3] = box[4 * c + 3] - box[4 * c + 1] + 1;
  }
  return count;
}
