// Node-API entry points of mlnc's native conv kernels. Every tensor argument is a Float32Array (on the wasm
// backend: a view of the wasm heap, so no copy is made); the geometry is an Int32Array in the field order of
// MLNC_CONV_GEOMETRY_FIELDS (native/conv.h). Sizes are checked here, because a wrong size would be a write past the heap view.
#include <node_api.h>
#include <string>
#include "channelOps.h"
#include "conv.h"

namespace {

using mlnc::ConvGeometry;

bool fail(napi_env env, const std::string& msg) {
  napi_throw_error(env, nullptr, msg.c_str());
  return false;
}

bool floatArray(napi_env env, napi_value v, const char* name, float** data, size_t* length) {
  bool isTyped = false;
  napi_is_typedarray(env, v, &isTyped);
  if (!isTyped) return fail(env, std::string(name) + " must be a Float32Array");
  napi_typedarray_type type;
  void* ptr = nullptr;
  napi_get_typedarray_info(env, v, &type, length, &ptr, nullptr, nullptr);
  if (type != napi_float32_array) return fail(env, std::string(name) + " must be a Float32Array");
  *data = static_cast<float*>(ptr);
  return true;
}

#define MLNC_COUNT_FIELD(name, minimum) +1
constexpr int kGeometryFields = 0 MLNC_CONV_GEOMETRY_FIELDS(MLNC_COUNT_FIELD);
#undef MLNC_COUNT_FIELD

// Reads the fields in MLNC_CONV_GEOMETRY_FIELDS order and checks each against its minimum (sizes and strides
// positive, pads non-negative); im2col zero-fills any tap outside x, so any such geometry is safe.
bool geometry(napi_env env, napi_value v, ConvGeometry* g) {
  bool isTyped = false;
  napi_is_typedarray(env, v, &isTyped);
  napi_typedarray_type type;
  size_t length = 0;
  void* ptr = nullptr;
  if (isTyped) napi_get_typedarray_info(env, v, &type, &length, &ptr, nullptr, nullptr);
  if (!isTyped || type != napi_int32_array || length != (size_t)kGeometryFields)
    return fail(env, "geometry must be an Int32Array of " + std::to_string(kGeometryFields));
  const int32_t* a = static_cast<const int32_t*>(ptr);
  int i = 0;
#define MLNC_READ_FIELD(name, minimum)                                                              \
  if (a[i] < (minimum))                                                                            \
    return fail(env, "geometry field " #name " must be at least " #minimum ", got " + std::to_string(a[i])); \
  g->name = a[i++];
  MLNC_CONV_GEOMETRY_FIELDS(MLNC_READ_FIELD)
#undef MLNC_READ_FIELD
  return true;
}

bool expectLength(napi_env env, const char* name, size_t got, long want) {
  if ((long)got != want)
    return fail(env, std::string(name) + " has " + std::to_string(got) + " elements, expected " + std::to_string(want));
  return true;
}

bool args(napi_env env, napi_callback_info info, size_t want, napi_value* argv) {
  size_t argc = want;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < want) return fail(env, "expected " + std::to_string(want) + " arguments");
  return true;
}

long inSize(const ConvGeometry& g) { return (long)g.batch * g.inH * g.inW * g.inC; }
long outSize(const ConvGeometry& g) { return (long)g.batch * g.outH * g.outW * g.outC; }
long filterSize(const ConvGeometry& g) { return (long)g.fH * g.fW * g.inC * g.outC; }

// conv2d(x, w, bias | null, activation (0 linear, 1 relu), out, geometry)
napi_value Conv2d(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  if (!args(env, info, 6, argv)) return nullptr;
  ConvGeometry g;
  float *x, *w, *bias = nullptr, *out;
  size_t nx, nw, nb = 0, nout;
  if (!geometry(env, argv[5], &g) || !floatArray(env, argv[0], "x", &x, &nx) || !floatArray(env, argv[1], "w", &w, &nw) ||
      !floatArray(env, argv[4], "out", &out, &nout))
    return nullptr;
  napi_valuetype biasType;
  napi_typeof(env, argv[2], &biasType);
  if (biasType != napi_null && biasType != napi_undefined) {
    if (!floatArray(env, argv[2], "bias", &bias, &nb) || !expectLength(env, "bias", nb, g.outC)) return nullptr;
  }
  int32_t act = 0;
  napi_get_value_int32(env, argv[3], &act);
  if (act != mlnc::kLinear && act != mlnc::kRelu) {
    fail(env, "activation must be 0 (linear) or 1 (relu)");
    return nullptr;
  }
  if (!expectLength(env, "x", nx, inSize(g)) || !expectLength(env, "w", nw, filterSize(g)) ||
      !expectLength(env, "out", nout, outSize(g)))
    return nullptr;
  mlnc::conv2dForward(g, x, w, bias, static_cast<mlnc::Activation>(act), out);
  return nullptr;
}

// conv2dBackpropInput(dy, w, dx, geometry)
napi_value Conv2dBackpropInput(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!args(env, info, 4, argv)) return nullptr;
  ConvGeometry g;
  float *dy, *w, *dx;
  size_t ndy, nw, ndx;
  if (!geometry(env, argv[3], &g) || !floatArray(env, argv[0], "dy", &dy, &ndy) ||
      !floatArray(env, argv[1], "w", &w, &nw) || !floatArray(env, argv[2], "dx", &dx, &ndx))
    return nullptr;
  if (!expectLength(env, "dy", ndy, outSize(g)) || !expectLength(env, "w", nw, filterSize(g)) ||
      !expectLength(env, "dx", ndx, inSize(g)))
    return nullptr;
  mlnc::conv2dBackpropInput(g, dy, w, dx);
  return nullptr;
}

// conv2dBackpropFilter(x, dy, dw, geometry)
napi_value Conv2dBackpropFilter(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!args(env, info, 4, argv)) return nullptr;
  ConvGeometry g;
  float *x, *dy, *dw;
  size_t nx, ndy, ndw;
  if (!geometry(env, argv[3], &g) || !floatArray(env, argv[0], "x", &x, &nx) ||
      !floatArray(env, argv[1], "dy", &dy, &ndy) || !floatArray(env, argv[2], "dw", &dw, &ndw))
    return nullptr;
  if (!expectLength(env, "x", nx, inSize(g)) || !expectLength(env, "dy", ndy, outSize(g)) ||
      !expectLength(env, "dw", ndw, filterSize(g)))
    return nullptr;
  mlnc::conv2dBackpropFilter(g, x, dy, dw);
  return nullptr;
}

// matMul(a, b, c, m, n, k, transA, transB): c[m×n] = op(a)·op(b), row-major.
napi_value MatMul(napi_env env, napi_callback_info info) {
  napi_value argv[8];
  if (!args(env, info, 8, argv)) return nullptr;
  float *a, *b, *c;
  size_t na, nb, nc;
  int32_t m, n, k;
  bool ta, tb;
  if (!floatArray(env, argv[0], "a", &a, &na) || !floatArray(env, argv[1], "b", &b, &nb) ||
      !floatArray(env, argv[2], "c", &c, &nc))
    return nullptr;
  napi_get_value_int32(env, argv[3], &m);
  napi_get_value_int32(env, argv[4], &n);
  napi_get_value_int32(env, argv[5], &k);
  napi_get_value_bool(env, argv[6], &ta);
  napi_get_value_bool(env, argv[7], &tb);
  if (m < 0 || n < 0 || k < 0) {
    fail(env, "matMul sizes must be non-negative");
    return nullptr;
  }
  if (!expectLength(env, "a", na, (long)m * k) || !expectLength(env, "b", nb, (long)k * n) ||
      !expectLength(env, "c", nc, (long)m * n))
    return nullptr;
  mlnc::gemm(m, n, k, mlnc::Operand{a, ta ? m : k, ta}, mlnc::Operand{b, tb ? k : n, tb}, c, n, false);
  return nullptr;
}

bool int64Arg(napi_env env, napi_value v, const char* name, int64_t* out) {
  if (napi_get_value_int64(env, v, out) != napi_ok || *out < 0) return fail(env, std::string(name) + " must be a non-negative integer");
  return true;
}

// sumMiddle(x, out, O, R, C, scale): out[o, c] = scale · Σ_r x[o, r, c].
napi_value SumMiddle(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  if (!args(env, info, 6, argv)) return nullptr;
  float *x, *out;
  size_t nx, nout;
  int64_t o, r, c;
  double scale = 1;
  if (!floatArray(env, argv[0], "x", &x, &nx) || !floatArray(env, argv[1], "out", &out, &nout) ||
      !int64Arg(env, argv[2], "O", &o) || !int64Arg(env, argv[3], "R", &r) || !int64Arg(env, argv[4], "C", &c))
    return nullptr;
  napi_get_value_double(env, argv[5], &scale);
  if (!expectLength(env, "x", nx, o * r * c) || !expectLength(env, "out", nout, o * c)) return nullptr;
  mlnc::sumMiddle(x, o, r, c, (float)scale, out);
  return nullptr;
}

// channelAffine(x, a, b, y): y[m, c] = x[m, c] · a[c] + b[c] with C = a.length.
napi_value ChannelAffine(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!args(env, info, 4, argv)) return nullptr;
  float *x, *a, *b, *y;
  size_t nx, na, nb, ny;
  if (!floatArray(env, argv[0], "x", &x, &nx) || !floatArray(env, argv[1], "a", &a, &na) ||
      !floatArray(env, argv[2], "b", &b, &nb) || !floatArray(env, argv[3], "y", &y, &ny))
    return nullptr;
  if (na == 0 || nx % na != 0) {
    fail(env, "x's length must be a multiple of the channel count a.length");
    return nullptr;
  }
  if (!expectLength(env, "b", nb, (long)na) || !expectLength(env, "y", ny, (long)nx)) return nullptr;
  mlnc::channelAffine(x, (long)(nx / na), (long)na, a, b, y);
  return nullptr;
}

// batchNormTrain(x, gamma, beta, eps, y, mean, var): C = gamma.length, M = x.length / C.
napi_value BatchNormTrain(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  if (!args(env, info, 7, argv)) return nullptr;
  float *x, *g, *b, *y, *mean, *var;
  size_t nx, ng, nb, ny, nm, nv;
  double eps = 0;
  if (!floatArray(env, argv[0], "x", &x, &nx) || !floatArray(env, argv[1], "gamma", &g, &ng) ||
      !floatArray(env, argv[2], "beta", &b, &nb) || !floatArray(env, argv[4], "y", &y, &ny) ||
      !floatArray(env, argv[5], "mean", &mean, &nm) || !floatArray(env, argv[6], "variance", &var, &nv))
    return nullptr;
  napi_get_value_double(env, argv[3], &eps);
  if (ng == 0 || nx == 0 || nx % ng != 0) {
    fail(env, "x's length must be a positive multiple of the channel count gamma.length");
    return nullptr;
  }
  if (!expectLength(env, "beta", nb, (long)ng) || !expectLength(env, "y", ny, (long)nx) ||
      !expectLength(env, "mean", nm, (long)ng) || !expectLength(env, "variance", nv, (long)ng))
    return nullptr;
  mlnc::batchNormTrain(x, (long)(nx / ng), (long)ng, g, b, (float)eps, y, mean, var);
  return nullptr;
}

// batchNormTrainGrad(x, dy, gamma, mean, var, eps, dx, dgamma, dbeta)
napi_value BatchNormTrainGrad(napi_env env, napi_callback_info info) {
  napi_value argv[9];
  if (!args(env, info, 9, argv)) return nullptr;
  float *x, *dy, *g, *mean, *var, *dx, *dg, *db;
  size_t nx, ndy, ng, nm, nv, ndx, ndg, ndb;
  double eps = 0;
  if (!floatArray(env, argv[0], "x", &x, &nx) || !floatArray(env, argv[1], "dy", &dy, &ndy) ||
      !floatArray(env, argv[2], "gamma", &g, &ng) || !floatArray(env, argv[3], "mean", &mean, &nm) ||
      !floatArray(env, argv[4], "variance", &var, &nv) || !floatArray(env, argv[6], "dx", &dx, &ndx) ||
      !floatArray(env, argv[7], "dgamma", &dg, &ndg) || !floatArray(env, argv[8], "dbeta", &db, &ndb))
    return nullptr;
  napi_get_value_double(env, argv[5], &eps);
  if (ng == 0 || nx == 0 || nx % ng != 0) {
    fail(env, "x's length must be a positive multiple of the channel count gamma.length");
    return nullptr;
  }
  if (!expectLength(env, "dy", ndy, (long)nx) || !expectLength(env, "mean", nm, (long)ng) ||
      !expectLength(env, "variance", nv, (long)ng) || !expectLength(env, "dx", ndx, (long)nx) ||
      !expectLength(env, "dgamma", ndg, (long)ng) || !expectLength(env, "dbeta", ndb, (long)ng))
    return nullptr;
  mlnc::batchNormTrainGrad(x, dy, (long)(nx / ng), (long)ng, g, mean, var, (float)eps, dx, dg, db);
  return nullptr;
}

// The names of the geometry fields in the order the conv functions read them (the TS side checks its own list
// against this one).
napi_value ConvGeometryFields(napi_env env, napi_callback_info) {
  napi_value list;
  napi_create_array_with_length(env, kGeometryFields, &list);
  uint32_t i = 0;
#define MLNC_NAME_FIELD(name, minimum)                   \
  {                                                      \
    napi_value s;                                        \
    napi_create_string_utf8(env, #name, NAPI_AUTO_LENGTH, &s); \
    napi_set_element(env, list, i++, s);                 \
  }
  MLNC_CONV_GEOMETRY_FIELDS(MLNC_NAME_FIELD)
#undef MLNC_NAME_FIELD
  return list;
}

// The instruction sets this build was compiled for, for run reports.
napi_value Features(napi_env env, napi_callback_info) {
  std::string f;
#ifdef __AVX512F__
  f += "avx512f ";
#endif
#ifdef __AVX2__
  f += "avx2 ";
#endif
#ifdef __FMA__
  f += "fma ";
#endif
#ifdef __SSE2__
  if (f.empty()) f += "sse2 ";
#endif
  if (f.empty()) f = "generic ";
  f.pop_back();
  napi_value s;
  napi_create_string_utf8(env, f.c_str(), f.size(), &s);
  return s;
}

}  // namespace

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"conv2d", nullptr, Conv2d, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBackpropInput", nullptr, Conv2dBackpropInput, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBackpropFilter", nullptr, Conv2dBackpropFilter, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"matMul", nullptr, MatMul, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sumMiddle", nullptr, SumMiddle, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"channelAffine", nullptr, ChannelAffine, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormTrain", nullptr, BatchNormTrain, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormTrainGrad", nullptr, BatchNormTrainGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"convGeometryFields", nullptr, ConvGeometryFields, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"features", nullptr, Features, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
