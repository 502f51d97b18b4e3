// N-API bindings of the native kernels. The convolution kernels take Float32Array views (for
// digitscan, views of the wasm backend's heap) and an Int32Array geometry:
// [n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow, co]. The image kernels take Uint8Array images.
#include <node_api.h>

#include <cstdio>
#include <cstring>
#include <vector>

#include "conv.h"
#include "image.h"

namespace {

bool floats(napi_env env, napi_value v, float** data, size_t* len) {
  napi_typedarray_type type;
  size_t length;
  void* ptr;
  napi_value ab;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, &length, &ptr, &ab, &offset) != napi_ok || type != napi_float32_array) {
    napi_throw_type_error(env, nullptr, "digitscan native: expected a Float32Array");
    return false;
  }
  *data = static_cast<float*>(ptr);
  *len = length;
  return true;
}

bool geometry(napi_env env, napi_value v, ConvGeom* g) {
  napi_typedarray_type type;
  size_t length;
  void* ptr;
  napi_value ab;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, &length, &ptr, &ab, &offset) != napi_ok || type != napi_int32_array || length != 13) {
    napi_throw_type_error(env, nullptr, "digitscan native: expected an Int32Array of 13 geometry values");
    return false;
  }
  const int* a = static_cast<const int*>(ptr);
  *g = ConvGeom{a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12]};
  for (int i = 0; i < 13; i++) {
    if (a[i] < 0 || (i != 8 && i != 9 && a[i] == 0)) {
      napi_throw_range_error(env, nullptr, "digitscan native: bad convolution geometry");
      return false;
    }
  }
  return true;
}

bool sized(napi_env env, size_t have, size_t want, const char* what) {
  if (have >= want) return true;
  char msg[128];
  snprintf(msg, sizeof msg, "digitscan native: %s holds %zu floats, needs %zu", what, have, want);
  napi_throw_range_error(env, nullptr, msg);
  return false;
}

size_t xSize(const ConvGeom& g) { return (size_t)g.n * g.h * g.w * g.c; }
size_t ySize(const ConvGeom& g) { return (size_t)g.n * g.oh * g.ow * g.co; }
size_t fSize(const ConvGeom& g) { return (size_t)g.kh * g.kw * g.c * g.co; }

// conv2d(x, filter, bias | null, out, geometry, relu)
napi_value Conv2d(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  ConvGeom g;
  float *x, *f, *y, *b = nullptr;
  size_t nx, nf, ny, nb = 0;
  if (argc < 6 || !floats(env, argv[0], &x, &nx) || !floats(env, argv[1], &f, &nf) || !floats(env, argv[3], &y, &ny) ||
      !geometry(env, argv[4], &g))
    return nullptr;
  napi_valuetype bt;
  napi_typeof(env, argv[2], &bt);
  if (bt != napi_null && bt != napi_undefined && !floats(env, argv[2], &b, &nb)) return nullptr;
  bool relu = false;
  napi_get_value_bool(env, argv[5], &relu);
  if (!sized(env, nx, xSize(g), "x") || !sized(env, nf, fSize(g), "filter") || !sized(env, ny, ySize(g), "output") ||
      (b && !sized(env, nb, g.co, "bias")))
    return nullptr;
  ds_conv2d(g, x, f, b, relu, y);
  return nullptr;
}

// The arguments of the functions that take three float arrays and a geometry: (a, b, out, geometry).
struct ThreeArrays {
  float* a;
  float* b;
  float* out;
  size_t na, nb, nout;
  ConvGeom g;
};

bool threeArrays(napi_env env, napi_callback_info info, ThreeArrays* t) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 4) {
    napi_throw_type_error(env, nullptr, "digitscan native: expected 4 arguments");
    return false;
  }
  return floats(env, argv[0], &t->a, &t->na) && floats(env, argv[1], &t->b, &t->nb) && floats(env, argv[2], &t->out, &t->nout) &&
         geometry(env, argv[3], &t->g);
}

// conv2dBackpropInput(dy, filter, dx, geometry): stride 1 only.
napi_value Conv2dBackpropInput(napi_env env, napi_callback_info info) {
  ThreeArrays t;
  if (!threeArrays(env, info, &t)) return nullptr;
  if (t.g.sh != 1 || t.g.sw != 1) {
    napi_throw_range_error(env, nullptr, "digitscan native: conv2dBackpropInput supports stride 1 only");
    return nullptr;
  }
  if (!sized(env, t.na, ySize(t.g), "dy") || !sized(env, t.nb, fSize(t.g), "filter") || !sized(env, t.nout, xSize(t.g), "dx")) return nullptr;
  ds_conv2d_backprop_input(t.g, t.a, t.b, t.out);
  return nullptr;
}

// conv2dBackpropFilter(x, dy, dfilter, geometry)
napi_value Conv2dBackpropFilter(napi_env env, napi_callback_info info) {
  ThreeArrays t;
  if (!threeArrays(env, info, &t)) return nullptr;
  if (!sized(env, t.na, xSize(t.g), "x") || !sized(env, t.nb, ySize(t.g), "dy") || !sized(env, t.nout, fSize(t.g), "dfilter")) return nullptr;
  ds_conv2d_backprop_filter(t.g, t.a, t.b, t.out);
  return nullptr;
}

// maxPoolGrad(x, dy, dx, geometry): geometry's kh, kw are the window, co == c.
napi_value MaxPoolGrad(napi_env env, napi_callback_info info) {
  ThreeArrays t;
  if (!threeArrays(env, info, &t)) return nullptr;
  if (t.g.co != t.g.c) {
    napi_throw_range_error(env, nullptr, "digitscan native: maxPoolGrad needs as many output channels as input channels");
    return nullptr;
  }
  if (!sized(env, t.na, xSize(t.g), "x") || !sized(env, t.nb, ySize(t.g), "dy") || !sized(env, t.nout, xSize(t.g), "dx")) return nullptr;
  ds_max_pool_grad(t.g, t.a, t.b, t.out);
  return nullptr;
}

// A typed array argument of the given type: its data and length, or false (a TypeError thrown).
bool typed(napi_env env, napi_value v, napi_typedarray_type want, void** data, size_t* len, const char* what) {
  napi_typedarray_type type;
  napi_value ab;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, len, data, &ab, &offset) != napi_ok || type != want) {
    char msg[128];
    snprintf(msg, sizeof msg, "digitscan native: expected %s", what);
    napi_throw_type_error(env, nullptr, msg);
    return false;
  }
  return true;
}

// A whole number argument in [lo, hi], or false (a RangeError thrown).
bool whole(napi_env env, napi_value v, int lo, int hi, int* out) {
  int32_t n;
  if (napi_get_value_int32(env, v, &n) != napi_ok || n < lo || n > hi) {
    napi_throw_range_error(env, nullptr, "digitscan native: bad image size");
    return false;
  }
  *out = n;
  return true;
}

// The call's `n` arguments (fewer: a TypeError) and the first three, an image: a Uint8Array, its width
// and height (each at least `least`); false with an error thrown when they are not.
bool imageCall(napi_env env, napi_callback_info info, size_t n, napi_value* argv, void** data, size_t* len, int* w, int* h, int least = 1) {
  size_t argc = n;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < n) {
    napi_throw_type_error(env, nullptr, "digitscan native: too few arguments");
    return false;
  }
  return typed(env, argv[0], napi_uint8_array, data, len, "a Uint8Array image") && whole(env, argv[1], least, 1 << 20, w) &&
         whole(env, argv[2], least, 1 << 20, h);
}

// A new Int32Array holding `values`.
napi_value int32Result(napi_env env, const std::vector<int32_t>& values) {
  void* buf;
  napi_value ab, result;
  if (napi_create_arraybuffer(env, values.size() * sizeof(int32_t), &buf, &ab) != napi_ok) return nullptr;
  if (!values.empty()) memcpy(buf, values.data(), values.size() * sizeof(int32_t));
  napi_create_typedarray(env, napi_int32_array, values.size(), ab, 0, &result);
  return result;
}

// thresholdCells(gray: Uint8Array, width, height, cell, thresholds: Int32Array, out: Uint8Array)
napi_value ThresholdCells(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  void *gray, *t, *out;
  size_t ng, nt, nout;
  int w, h, cell;
  if (!imageCall(env, info, 6, argv, &gray, &ng, &w, &h) || !whole(env, argv[3], 1, 1 << 16, &cell) ||
      !typed(env, argv[4], napi_int32_array, &t, &nt, "an Int32Array of thresholds") ||
      !typed(env, argv[5], napi_uint8_array, &out, &nout, "a Uint8Array output"))
    return nullptr;
  const int cells = (w + cell - 1) / cell;
  if (ng < (size_t)w * h || nout < (size_t)w * h || nt < (size_t)cells * h) {
    napi_throw_range_error(env, nullptr, "digitscan native: thresholdCells arrays too small for the image");
    return nullptr;
  }
  ds_threshold_cells(static_cast<const uint8_t*>(gray), w, h, cell, cells, static_cast<const int32_t*>(t), static_cast<uint8_t*>(out));
  return nullptr;
}

// The runs of (data: Uint8Array, width, height) by `find`, as a new Int32Array.
napi_value Runs(napi_env env, napi_callback_info info, void (*find)(const uint8_t*, int, int, std::vector<int32_t>*)) {
  napi_value argv[3];
  void* data;
  size_t n;
  int w, h;
  if (!imageCall(env, info, 3, argv, &data, &n, &w, &h)) return nullptr;
  if (n < (size_t)w * h) {
    napi_throw_range_error(env, nullptr, "digitscan native: image array too small for its size");
    return nullptr;
  }
  std::vector<int32_t> runs;
  runs.reserve(3 * 4096);
  find(static_cast<const uint8_t*>(data), w, h, &runs);
  return int32Result(env, runs);
}

// Whether v is null or undefined.
bool absent(napi_env env, napi_value v) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  return t == napi_null || t == napi_undefined;
}

// paperHistogram(gray: Uint8Array, width, height, cell, gains: Int32Array, step, hist: Int32Array)
napi_value PaperHistogram(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  void *gray, *gains, *hist;
  size_t ng, nk, nh;
  int w, h, cell, step;
  if (!imageCall(env, info, 7, argv, &gray, &ng, &w, &h) || !whole(env, argv[3], 1, 1 << 16, &cell) ||
      !typed(env, argv[4], napi_int32_array, &gains, &nk, "an Int32Array of gains") || !whole(env, argv[5], 1, 1 << 16, &step) ||
      !typed(env, argv[6], napi_int32_array, &hist, &nh, "an Int32Array histogram"))
    return nullptr;
  const int cells = (w + cell - 1) / cell;
  const size_t rows = (size_t)(h + step - 1) / step;
  if (ng < (size_t)w * h || nk < rows * cells || nh < 256) {
    napi_throw_range_error(env, nullptr, "digitscan native: paperHistogram arrays too small for the image");
    return nullptr;
  }
  ds_paper_histogram(static_cast<const uint8_t*>(gray), w, h, cell, cells, static_cast<const int32_t*>(gains), step, static_cast<int32_t*>(hist));
  return nullptr;
}

// cellSums(gray: Uint8Array, width, height, cell, mask: Uint8Array | null, step, sums: Float64Array, counts: Int32Array | null)
napi_value CellSums(napi_env env, napi_callback_info info) {
  napi_value argv[8];
  void *gray, *mask = nullptr, *sums, *counts = nullptr;
  size_t ng, nm = 0, ns, nc = 0;
  int w, h, cell, step;
  if (!imageCall(env, info, 8, argv, &gray, &ng, &w, &h) || !whole(env, argv[3], 1, 1 << 16, &cell) ||
      (!absent(env, argv[4]) && !typed(env, argv[4], napi_uint8_array, &mask, &nm, "a Uint8Array mask")) ||
      !whole(env, argv[5], 1, 1 << 16, &step) || !typed(env, argv[6], napi_float64_array, &sums, &ns, "a Float64Array of sums") ||
      (!absent(env, argv[7]) && !typed(env, argv[7], napi_int32_array, &counts, &nc, "an Int32Array of counts")))
    return nullptr;
  const size_t cells = (size_t)((w + cell - 1) / cell) * ((h + cell - 1) / cell);
  if (ng < (size_t)w * h || (mask && nm < (size_t)w * h) || ns < cells || (counts && nc < cells)) {
    napi_throw_range_error(env, nullptr, "digitscan native: cellSums arrays too small for the image");
    return nullptr;
  }
  ds_cell_sums(static_cast<const uint8_t*>(gray), w, h, cell, static_cast<const uint8_t*>(mask), step, static_cast<double*>(sums),
               static_cast<int32_t*>(counts));
  return nullptr;
}

// rotateThreshold(src: Uint8Array, width, height, chunks: Int32Array, dx, dy, cell, tables: Int32Array, out0: Uint8Array, out1: Uint8Array | null)
napi_value RotateThreshold(napi_env env, napi_callback_info info) {
  napi_value argv[10];
  void *src, *chunks, *tables, *out0, *out1 = nullptr;
  size_t ns, nc, nt, n0, n1 = 0;
  int w, h, cell;
  int32_t dx, dy;
  if (!imageCall(env, info, 10, argv, &src, &ns, &w, &h) || !typed(env, argv[3], napi_int32_array, &chunks, &nc, "an Int32Array of chunks") ||
      napi_get_value_int32(env, argv[4], &dx) != napi_ok || napi_get_value_int32(env, argv[5], &dy) != napi_ok ||
      !whole(env, argv[6], 1, 1 << 16, &cell) || !typed(env, argv[7], napi_int32_array, &tables, &nt, "an Int32Array of thresholds") ||
      !typed(env, argv[8], napi_uint8_array, &out0, &n0, "a Uint8Array output") ||
      (!absent(env, argv[9]) && !typed(env, argv[9], napi_uint8_array, &out1, &n1, "a Uint8Array output")))
    return nullptr;
  const size_t px = (size_t)w * h;
  const int cells = (w + cell - 1) / cell;
  if (ns < px || n0 < px || (out1 && n1 < px) || nc % 6) {
    napi_throw_range_error(env, nullptr, "digitscan native: rotateThreshold arrays do not fit the image");
    return nullptr;
  }
  // Every chunk within the image and its thresholds within the tables.
  const int32_t* c = static_cast<const int32_t*>(chunks);
  const size_t need = (size_t)cells * (out1 ? 2 : 1);
  for (size_t k = 0; k < nc; k += 6) {
    if (c[k] < 0 || c[k] >= h || c[k + 1] < 0 || c[k + 2] > w || c[k + 1] > c[k + 2] || c[k + 5] < 0 || (size_t)c[k + 5] + need > nt) {
      napi_throw_range_error(env, nullptr, "digitscan native: rotateThreshold chunk outside the image");
      return nullptr;
    }
  }
  ds_rotate_threshold(static_cast<const uint8_t*>(src), w, h, c, (int)(nc / 6), dx, dy, cell, cells, static_cast<const int32_t*>(tables),
                      static_cast<uint8_t*>(out0), static_cast<uint8_t*>(out1));
  return nullptr;
}

// halveCubic(src: Uint8Array, width, height, channels, out: Uint8Array)
napi_value HalveCubic(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  void *src, *out;
  size_t ns, no;
  int w, h, ch;
  if (!imageCall(env, info, 5, argv, &src, &ns, &w, &h, 2) || !whole(env, argv[3], 1, 4, &ch) ||
      !typed(env, argv[4], napi_uint8_array, &out, &no, "a Uint8Array output"))
    return nullptr;
  if (w % 2 || h % 2 || ns < (size_t)w * h * ch || no < (size_t)(w / 2) * (h / 2) * ch) {
    napi_throw_range_error(env, nullptr, "digitscan native: halveCubic needs an even size and arrays that fit it");
    return nullptr;
  }
  ds_halve_cubic(static_cast<const uint8_t*>(src), w, h, ch, static_cast<uint8_t*>(out));
  return nullptr;
}

// labelComponents(data: Uint8Array, width, height, labels: Int32Array): Int32Array of 5 stats a component
napi_value LabelComponents(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  void *data, *labels;
  size_t nd, nl;
  int w, h;
  if (!imageCall(env, info, 4, argv, &data, &nd, &w, &h) || !typed(env, argv[3], napi_int32_array, &labels, &nl, "an Int32Array of labels"))
    return nullptr;
  if (nd < (size_t)w * h || nl < (size_t)w * h) {
    napi_throw_range_error(env, nullptr, "digitscan native: labelComponents arrays too small for the image");
    return nullptr;
  }
  std::vector<int32_t> stats;
  ds_label_components(static_cast<const uint8_t*>(data), w, h, static_cast<int32_t*>(labels), &stats);
  return int32Result(env, stats);
}

napi_value RowRuns(napi_env env, napi_callback_info info) { return Runs(env, info, ds_row_runs); }
napi_value ColumnRuns(napi_env env, napi_callback_info info) { return Runs(env, info, ds_column_runs); }

}  // namespace

NAPI_MODULE_INIT() {
  napi_value fn, flag;
  napi_get_boolean(env, ds_cpu_supported(), &flag);
  napi_set_named_property(env, exports, "supported", flag);
  const struct {
    const char* name;
    napi_callback cb;
  } functions[] = {
      {"conv2d", Conv2d},
      {"conv2dBackpropInput", Conv2dBackpropInput},
      {"conv2dBackpropFilter", Conv2dBackpropFilter},
      {"maxPoolGrad", MaxPoolGrad},
      {"thresholdCells", ThresholdCells},
      {"rowRuns", RowRuns},
      {"columnRuns", ColumnRuns},
      {"paperHistogram", PaperHistogram},
      {"cellSums", CellSums},
      {"rotateThreshold", RotateThreshold},
      {"halveCubic", HalveCubic},
      {"labelComponents", LabelComponents},
  };
  for (const auto& f : functions) {
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.cb, nullptr, &fn);
    napi_set_named_property(env, exports, f.name, fn);
  }
  return exports;
}
