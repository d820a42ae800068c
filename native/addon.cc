// N-API surface of the native backend. Operands are Float32Arrays whose storage is read in place; every call
// checks that the strided extents it will touch lie inside the arrays, so a bad call throws instead of
// corrupting memory.
#include <napi.h>

#include <cstdlib>
#include <string>

#include "gemm.h"
#include "rows.h"

namespace {

struct Operand {
  float* data;
  int64_t length;
};

Operand operand(const Napi::Value& v, const char* name) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    throw Napi::TypeError::New(v.Env(), std::string("gemm: ") + name + " must be a Float32Array");
  auto arr = v.As<Napi::Float32Array>();
  return {arr.Data(), static_cast<int64_t>(arr.ElementLength())};
}

int64_t integer(const Napi::Value& v) { return v.As<Napi::Number>().Int64Value(); }

// Highest element index + 1 touched by a batch of rows x cols matrices with row stride ld.
int64_t extent(int64_t offset, int64_t batch, int64_t stride, int64_t rows, int64_t cols, int64_t ld) {
  if (rows == 0 || cols == 0) return offset;
  return offset + (batch - 1) * stride + (rows - 1) * ld + cols;
}

void check(const Napi::Env& env, bool ok, const char* what) {
  if (!ok) throw Napi::RangeError::New(env, std::string("gemm: ") + what);
}

// gemm(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc,
//      batch, strideA, strideB, strideC)
Napi::Value Gemm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 20) throw Napi::TypeError::New(env, "gemm: expected 20 arguments");
  engine::GemmArgs g;
  g.trans_a = info[0].ToBoolean();
  g.trans_b = info[1].ToBoolean();
  g.m = integer(info[2]);
  g.n = integer(info[3]);
  g.k = integer(info[4]);
  g.alpha = info[5].As<Napi::Number>().FloatValue();
  Operand a = operand(info[6], "a");
  const int64_t aoff = integer(info[7]);
  g.lda = integer(info[8]);
  Operand b = operand(info[9], "b");
  const int64_t boff = integer(info[10]);
  g.ldb = integer(info[11]);
  g.beta = info[12].As<Napi::Number>().FloatValue();
  Operand c = operand(info[13], "c");
  const int64_t coff = integer(info[14]);
  g.ldc = integer(info[15]);
  g.batch = integer(info[16]);
  g.stride_a = integer(info[17]);
  g.stride_b = integer(info[18]);
  g.stride_c = integer(info[19]);
  check(env, g.m >= 0 && g.n >= 0 && g.k >= 0 && g.batch >= 0, "negative size");
  check(env, aoff >= 0 && boff >= 0 && coff >= 0 && g.stride_a >= 0 && g.stride_b >= 0 && g.stride_c >= 0,
        "negative offset or stride");
  const int64_t ar = g.trans_a ? g.k : g.m, ac = g.trans_a ? g.m : g.k;
  const int64_t br = g.trans_b ? g.n : g.k, bc = g.trans_b ? g.k : g.n;
  check(env, g.lda >= ac && g.ldb >= bc && g.ldc >= g.n, "leading dimension smaller than a row");
  if (g.batch > 0 && g.m > 0 && g.n > 0) {
    check(env, extent(aoff, g.batch, g.stride_a, ar, ac, g.lda) <= a.length, "a is too short");
    check(env, extent(boff, g.batch, g.stride_b, br, bc, g.ldb) <= b.length, "b is too short");
    check(env, extent(coff, g.batch, g.stride_c, g.m, g.n, g.ldc) <= c.length, "c is too short");
  }
  g.a = a.data + aoff;
  g.b = b.data + boff;
  g.c = c.data + coff;
  engine::gemm(g);
  return env.Undefined();
}

// softmaxRows(x, out, rows, cols, causal, lse | null)
Napi::Value SoftmaxRows(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Operand x = operand(info[0], "x");
  Operand out = operand(info[1], "out");
  const int64_t rows = integer(info[2]);
  const int64_t cols = integer(info[3]);
  const bool causal = info[4].ToBoolean();
  float* lse = nullptr;
  if (!info[5].IsNull()) {
    Operand l = operand(info[5], "lse");
    check(env, l.length >= rows, "lse is too short");
    lse = l.data;
  }
  check(env, rows >= 0 && cols > 0 && x.length >= rows * cols && out.length >= rows * cols, "softmax sizes");
  engine::softmax_rows(x.data, out.data, rows, cols, causal, lse);
  return env.Undefined();
}

// sigmoidBce(x, t, p) -> summed loss; p = sigmoid(x)
Napi::Value SigmoidBce(const Napi::CallbackInfo& info) {
  Operand x = operand(info[0], "x");
  Operand t = operand(info[1], "t");
  Operand p = operand(info[2], "p");
  check(info.Env(), t.length == x.length && p.length == x.length, "sigmoidBce lengths differ");
  return Napi::Number::New(info.Env(), engine::sigmoid_bce(x.data, t.data, p.data, x.length));
}

engine::ConvGeometry geometry(const Napi::Value& v) {
  auto o = v.As<Napi::Object>();
  auto f = [&](const char* k) { return integer(o.Get(k)); };
  return {f("n"), f("c"), f("h"), f("w"), f("kh"), f("kw"), f("stride"), f("pad"), f("oh"), f("ow")};
}

// im2col(x, geometry, cols) / col2im(cols, geometry, x)
Napi::Value Im2col(const Napi::CallbackInfo& info) {
  Operand x = operand(info[0], "x");
  const engine::ConvGeometry g = geometry(info[1]);
  Operand cols = operand(info[2], "cols");
  check(info.Env(), x.length >= g.n * g.c * g.h * g.w && cols.length >= g.c * g.kh * g.kw * g.n * g.oh * g.ow,
        "im2col sizes");
  engine::im2col(x.data, g, cols.data);
  return info.Env().Undefined();
}

Napi::Value Col2im(const Napi::CallbackInfo& info) {
  Operand cols = operand(info[0], "cols");
  const engine::ConvGeometry g = geometry(info[1]);
  Operand x = operand(info[2], "x");
  check(info.Env(), x.length >= g.n * g.c * g.h * g.w && cols.length >= g.c * g.kh * g.kw * g.n * g.oh * g.ow,
        "col2im sizes");
  engine::col2im(cols.data, g, x.data);
  return info.Env().Undefined();
}

// toChannelMajor(x, n, c, p, out) / addFromChannelMajor(y, n, c, p, bias | null, out) / channelSums(g, n, c, p, gb)
Napi::Value ToChannelMajor(const Napi::CallbackInfo& info) {
  Operand x = operand(info[0], "x");
  const int64_t n = integer(info[1]), c = integer(info[2]), p = integer(info[3]);
  Operand out = operand(info[4], "out");
  check(info.Env(), x.length >= n * c * p && out.length >= n * c * p, "toChannelMajor sizes");
  engine::to_channel_major(x.data, n, c, p, out.data);
  return info.Env().Undefined();
}

Napi::Value AddFromChannelMajor(const Napi::CallbackInfo& info) {
  Operand y = operand(info[0], "y");
  const int64_t n = integer(info[1]), c = integer(info[2]), p = integer(info[3]);
  const float* bias = nullptr;
  if (!info[4].IsNull()) {
    Operand b = operand(info[4], "bias");
    check(info.Env(), b.length >= c, "bias is too short");
    bias = b.data;
  }
  Operand out = operand(info[5], "out");
  check(info.Env(), y.length >= n * c * p && out.length >= n * c * p, "addFromChannelMajor sizes");
  engine::add_from_channel_major(y.data, n, c, p, bias, out.data);
  return info.Env().Undefined();
}

Napi::Value ChannelSums(const Napi::CallbackInfo& info) {
  Operand g = operand(info[0], "g");
  const int64_t n = integer(info[1]), c = integer(info[2]), p = integer(info[3]);
  Operand gb = operand(info[4], "gb");
  check(info.Env(), g.length >= n * c * p && gb.length >= c, "channelSums sizes");
  engine::channel_sums(g.data, n, c, p, gb.data);
  return info.Env().Undefined();
}

// addChannelBias(out, n, c, p, bias)
Napi::Value AddChannelBias(const Napi::CallbackInfo& info) {
  Operand out = operand(info[0], "out");
  const int64_t n = integer(info[1]), c = integer(info[2]), p = integer(info[3]);
  Operand bias = operand(info[4], "bias");
  check(info.Env(), n >= 0 && c > 0 && p >= 0 && out.length >= n * c * p && bias.length >= c, "addChannelBias sizes");
  engine::add_channel_bias(out.data, n, c, p, bias.data);
  return info.Env().Undefined();
}

// relu(x, out) / reluBackward(x, g, gx)
Napi::Value Relu(const Napi::CallbackInfo& info) {
  Operand x = operand(info[0], "x");
  Operand out = operand(info[1], "out");
  check(info.Env(), out.length == x.length, "relu lengths differ");
  engine::relu(x.data, out.data, x.length);
  return info.Env().Undefined();
}

Napi::Value ReluBackward(const Napi::CallbackInfo& info) {
  Operand x = operand(info[0], "x");
  Operand g = operand(info[1], "g");
  Operand gx = operand(info[2], "gx");
  check(info.Env(), g.length == x.length && gx.length == x.length, "relu lengths differ");
  engine::relu_backward(x.data, g.data, gx.data, x.length);
  return info.Env().Undefined();
}

// axpy(alpha, x, y): y += alpha x over min(len) elements
Napi::Value Axpy(const Napi::CallbackInfo& info) {
  const float alpha = info[0].As<Napi::Number>().FloatValue();
  Operand x = operand(info[1], "x");
  Operand y = operand(info[2], "y");
  check(info.Env(), x.length == y.length, "axpy lengths differ");
  engine::axpy(alpha, x.data, y.data, y.length);
  return info.Env().Undefined();
}

// layerNorm(x, gain, bias, rows, n, eps, out, xhat, rstd)
Napi::Value LayerNorm(const Napi::CallbackInfo& info) {
  Operand x = operand(info[0], "x");
  Operand gain = operand(info[1], "gain");
  Operand bias = operand(info[2], "bias");
  const int64_t rows = integer(info[3]), n = integer(info[4]);
  const float eps = info[5].As<Napi::Number>().FloatValue();
  Operand out = operand(info[6], "out");
  Operand xhat = operand(info[7], "xhat");
  Operand rstd = operand(info[8], "rstd");
  const int64_t size = rows * n;
  check(info.Env(),
        rows >= 0 && n > 0 && x.length >= size && out.length >= size && xhat.length >= size && rstd.length >= rows &&
            gain.length >= n && bias.length >= n,
        "layerNorm sizes");
  engine::layer_norm(x.data, gain.data, bias.data, rows, n, eps, out.data, xhat.data, rstd.data);
  return info.Env().Undefined();
}

// layerNormBackward(g, xhat, rstd, gain, rows, n, gx | null, gg | null, gb | null)
Napi::Value LayerNormBackward(const Napi::CallbackInfo& info) {
  Operand g = operand(info[0], "g");
  Operand xhat = operand(info[1], "xhat");
  Operand rstd = operand(info[2], "rstd");
  Operand gain = operand(info[3], "gain");
  const int64_t rows = integer(info[4]), n = integer(info[5]);
  const int64_t size = rows * n;
  check(info.Env(),
        rows >= 0 && n > 0 && g.length >= size && xhat.length >= size && rstd.length >= rows && gain.length >= n,
        "layerNormBackward sizes");
  auto optional = [&](int i, const char* name, int64_t need) -> float* {
    if (info[i].IsNull()) return nullptr;
    Operand o = operand(info[i], name);
    check(info.Env(), o.length >= need, "layerNormBackward gradient too short");
    return o.data;
  };
  float* gx = optional(6, "gx", size);
  float* gg = optional(7, "gg", n);
  float* gb = optional(8, "gb", n);
  engine::layer_norm_backward(g.data, xhat.data, rstd.data, gain.data, rows, n, gx, gg, gb);
  return info.Env().Undefined();
}

// softmaxBackward(o, g, gx, rows, cols, causal)
Napi::Value SoftmaxBackward(const Napi::CallbackInfo& info) {
  Operand o = operand(info[0], "o");
  Operand g = operand(info[1], "g");
  Operand gx = operand(info[2], "gx");
  const int64_t rows = integer(info[3]), cols = integer(info[4]);
  const bool causal = info[5].ToBoolean();
  const int64_t size = rows * cols;
  check(info.Env(), rows >= 0 && cols > 0 && o.length >= size && g.length >= size && gx.length >= size,
        "softmaxBackward sizes");
  engine::softmax_backward(o.data, g.data, gx.data, rows, cols, causal);
  return info.Env().Undefined();
}

// permute(x, shape: number[], perm: number[], out, backward)
Napi::Value Permute(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Operand x = operand(info[0], "x");
  auto shape_arr = info[1].As<Napi::Array>();
  auto perm_arr = info[2].As<Napi::Array>();
  Operand out = operand(info[3], "out");
  const bool backward = info[4].ToBoolean();
  const int64_t rank = shape_arr.Length();
  check(env, rank >= 1 && rank <= 8 && static_cast<int64_t>(perm_arr.Length()) == rank, "permute rank");
  int64_t shape[8], perm[8];
  bool seen[8] = {false};
  int64_t total = 1;
  for (int64_t i = 0; i < rank; i++) {
    shape[i] = integer(shape_arr.Get(static_cast<uint32_t>(i)));
    perm[i] = integer(perm_arr.Get(static_cast<uint32_t>(i)));
    check(env, shape[i] >= 0 && perm[i] >= 0 && perm[i] < rank && !seen[perm[i]], "bad permutation");
    seen[perm[i]] = true;
    total *= shape[i];
  }
  check(env, x.length >= total && out.length >= total, "permute sizes");
  engine::permute(x.data, shape, perm, rank, out.data, backward);
  return env.Undefined();
}

// scale(alpha, x, out): out = alpha x (equal lengths)
Napi::Value Scale(const Napi::CallbackInfo& info) {
  const float alpha = info[0].As<Napi::Number>().FloatValue();
  Operand x = operand(info[1], "x");
  Operand out = operand(info[2], "out");
  check(info.Env(), x.length == out.length, "scale lengths differ");
  engine::scale(alpha, x.data, out.data, x.length);
  return info.Env().Undefined();
}

// addRows(x, y, sign, out) / sumRows(g, sign, gy): broadcast add over rows of y's length, and its y gradient
Napi::Value AddRows(const Napi::CallbackInfo& info) {
  Operand x = operand(info[0], "x");
  Operand y = operand(info[1], "y");
  const float sign = info[2].As<Napi::Number>().FloatValue();
  Operand out = operand(info[3], "out");
  check(info.Env(), y.length > 0 && x.length % y.length == 0 && out.length == x.length, "addRows sizes");
  engine::add_rows(x.data, y.data, sign, out.data, x.length, y.length);
  return info.Env().Undefined();
}

Napi::Value SumRows(const Napi::CallbackInfo& info) {
  Operand g = operand(info[0], "g");
  const float sign = info[1].As<Napi::Number>().FloatValue();
  Operand gy = operand(info[2], "gy");
  check(info.Env(), gy.length > 0 && g.length % gy.length == 0, "sumRows sizes");
  engine::sum_rows(g.data, sign, gy.data, g.length, gy.length);
  return info.Env().Undefined();
}

// adamStep(w, g, m, v, beta1, beta2, stepSize, rootC2, eps, l2, shrink)
Napi::Value AdamStep(const Napi::CallbackInfo& info) {
  Operand w = operand(info[0], "w");
  Operand g = operand(info[1], "g");
  Operand m = operand(info[2], "m");
  Operand v = operand(info[3], "v");
  check(info.Env(), g.length == w.length && m.length == w.length && v.length == w.length, "adam lengths differ");
  engine::AdamArgs a;
  a.beta1 = info[4].As<Napi::Number>().FloatValue();
  a.beta2 = info[5].As<Napi::Number>().FloatValue();
  a.step_size = info[6].As<Napi::Number>().FloatValue();
  a.root_c2 = info[7].As<Napi::Number>().FloatValue();
  a.eps = info[8].As<Napi::Number>().FloatValue();
  a.l2 = info[9].As<Napi::Number>().FloatValue();
  a.shrink = info[10].As<Napi::Number>().FloatValue();
  engine::adam_step(w.data, g.data, m.data, v.data, w.length, a);
  return info.Env().Undefined();
}

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  engine::set_threads(static_cast<int>(integer(info[0])));
  return Napi::Number::New(info.Env(), engine::get_threads());
}

// selectIsa(name): "auto" | "avx512" | "avx2" | "portable" -> the ISA now in use, or null if unsupported here.
Napi::Value SelectIsa(const Napi::CallbackInfo& info) {
  const std::string name = info[0].As<Napi::String>().Utf8Value();
  const char* isa = engine::select_isa(name.c_str());
  if (!isa) return info.Env().Null();
  return Napi::String::New(info.Env(), isa);
}

Napi::Value Isa(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), engine::current_isa()); }

Napi::Value FmaPeak(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), engine::fma_peak_gflops()); }

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  engine::select_isa("auto");
  exports.Set("gemm", Napi::Function::New(env, Gemm));
  exports.Set("softmaxRows", Napi::Function::New(env, SoftmaxRows));
  exports.Set("sigmoidBce", Napi::Function::New(env, SigmoidBce));
  exports.Set("im2col", Napi::Function::New(env, Im2col));
  exports.Set("col2im", Napi::Function::New(env, Col2im));
  exports.Set("toChannelMajor", Napi::Function::New(env, ToChannelMajor));
  exports.Set("addFromChannelMajor", Napi::Function::New(env, AddFromChannelMajor));
  exports.Set("channelSums", Napi::Function::New(env, ChannelSums));
  exports.Set("addChannelBias", Napi::Function::New(env, AddChannelBias));
  exports.Set("relu", Napi::Function::New(env, Relu));
  exports.Set("reluBackward", Napi::Function::New(env, ReluBackward));
  exports.Set("axpy", Napi::Function::New(env, Axpy));
  exports.Set("scale", Napi::Function::New(env, Scale));
  exports.Set("addRows", Napi::Function::New(env, AddRows));
  exports.Set("sumRows", Napi::Function::New(env, SumRows));
  exports.Set("layerNorm", Napi::Function::New(env, LayerNorm));
  exports.Set("layerNormBackward", Napi::Function::New(env, LayerNormBackward));
  exports.Set("softmaxBackward", Napi::Function::New(env, SoftmaxBackward));
  exports.Set("permute", Napi::Function::New(env, Permute));
  exports.Set("adamStep", Napi::Function::New(env, AdamStep));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("selectIsa", Napi::Function::New(env, SelectIsa));
  exports.Set("isa", Napi::Function::New(env, Isa));
  exports.Set("fmaPeakGflops", Napi::Function::New(env, FmaPeak));
  return exports;
}

}  // namespace

NODE_API_MODULE(collapse_engine, Init)
