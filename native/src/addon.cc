// N-API bindings of the native convolution kernels. Every function takes Float32Array views (for
// digitscan, views of the wasm backend's heap) and an Int32Array geometry:
// [n, h, w, c, kh, kw, sh, sw, pt, pl, oh, ow, co].
#include <node_api.h>

#include <cstdio>
#include <cstring>

#include "conv.h"

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

}  // namespace

NAPI_MODULE_INIT() {
  napi_value fn, flag;
  napi_get_boolean(env, ds_cpu_supported(), &flag);
  napi_set_named_property(env, exports, "supported", flag);
  napi_create_function(env, "conv2d", NAPI_AUTO_LENGTH, Conv2d, nullptr, &fn);
  napi_set_named_property(env, exports, "conv2d", fn);
  napi_create_function(env, "conv2dBackpropInput", NAPI_AUTO_LENGTH, Conv2dBackpropInput, nullptr, &fn);
  napi_set_named_property(env, exports, "conv2dBackpropInput", fn);
  napi_create_function(env, "conv2dBackpropFilter", NAPI_AUTO_LENGTH, Conv2dBackpropFilter, nullptr, &fn);
  napi_set_named_property(env, exports, "conv2dBackpropFilter", fn);
  napi_create_function(env, "maxPoolGrad", NAPI_AUTO_LENGTH, MaxPoolGrad, nullptr, &fn);
  napi_set_named_property(env, exports, "maxPoolGrad", fn);
  return exports;
}
