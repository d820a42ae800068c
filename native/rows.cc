#include "rows.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "gemm.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define ENGINE_X86 1
#endif

namespace engine {
namespace {

// Scalar tail and portable path for one softmax row; returns log-sum-exp.
float softmax_row_scalar(const float* x, float* out, int64_t width) {
  float mx = -INFINITY;
  for (int64_t j = 0; j < width; j++) mx = std::max(mx, x[j]);
  double total = 0;
  for (int64_t j = 0; j < width; j++) {
    const float e = std::exp(x[j] - mx);
    out[j] = e;
    total += e;
  }
  const float inv = static_cast<float>(1.0 / total);
  for (int64_t j = 0; j < width; j++) out[j] *= inv;
  return mx + static_cast<float>(std::log(total));
}

#ifdef ENGINE_X86
// exp for 8 floats (Cephes' expf: range reduction by ln 2, degree-5 polynomial, exponent by integer add);
// relative error ~2e-7 over the clamped range, which keeps 2^n a normal number. Below the range the result is
// 0 (as exp(-inf) must be: a masked logit contributes nothing), not the clamp's 1.6e-38.
__attribute__((target("avx2,fma"))) inline __m256 exp8(__m256 x) {
  const __m256 underflow = _mm256_cmp_ps(x, _mm256_set1_ps(-87.0f), _CMP_LT_OQ);
  x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.0f)), _mm256_set1_ps(88.0f));
  const __m256 fx = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  x = _mm256_fnmadd_ps(fx, _mm256_set1_ps(0.693359375f), x);
  x = _mm256_fnmadd_ps(fx, _mm256_set1_ps(-2.12194440e-4f), x);
  __m256 y = _mm256_set1_ps(1.9875691500e-4f);
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.3981999507e-3f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(8.3334519073e-3f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(4.1665795894e-2f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.6666665459e-1f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(5.0000001201e-1f));
  y = _mm256_fmadd_ps(y, _mm256_mul_ps(x, x), _mm256_add_ps(x, _mm256_set1_ps(1.0f)));
  const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(fx), _mm256_set1_epi32(127)), 23);
  return _mm256_andnot_ps(underflow, _mm256_mul_ps(y, _mm256_castsi256_ps(e)));
}

__attribute__((target("avx2,fma"))) inline float hsum8(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}

__attribute__((target("avx2,fma"))) inline float hmax8(__m256 v) {
  __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_max_ps(s, _mm_movehl_ps(s, s));
  s = _mm_max_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}

__attribute__((target("avx2,fma"))) float softmax_row_avx2(const float* x, float* out, int64_t width) {
  const int64_t vec = width & ~int64_t{7};
  __m256 vmax = _mm256_set1_ps(-INFINITY);
  for (int64_t j = 0; j < vec; j += 8) vmax = _mm256_max_ps(vmax, _mm256_loadu_ps(x + j));
  float mx = hmax8(vmax);
  for (int64_t j = vec; j < width; j++) mx = std::max(mx, x[j]);
  const __m256 vm = _mm256_set1_ps(mx);
  __m256 vsum = _mm256_setzero_ps();
  for (int64_t j = 0; j < vec; j += 8) {
    const __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(x + j), vm));
    _mm256_storeu_ps(out + j, e);
    vsum = _mm256_add_ps(vsum, e);
  }
  double total = hsum8(vsum);
  for (int64_t j = vec; j < width; j++) {
    const float e = std::exp(x[j] - mx);
    out[j] = e;
    total += e;
  }
  const __m256 inv = _mm256_set1_ps(static_cast<float>(1.0 / total));
  for (int64_t j = 0; j < vec; j += 8) _mm256_storeu_ps(out + j, _mm256_mul_ps(_mm256_loadu_ps(out + j), inv));
  for (int64_t j = vec; j < width; j++) out[j] *= static_cast<float>(1.0 / total);
  return mx + static_cast<float>(std::log(total));
}
#endif

bool use_avx2() { return std::strcmp(current_isa(), "portable") != 0; }

}  // namespace

void softmax_rows(const float* x, float* out, int64_t rows, int64_t cols, bool causal, float* lse) {
  const bool vec = use_avx2();
  auto chunk = [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const int64_t width = causal ? (r % cols) + 1 : cols;
      const float* xr = x + r * cols;
      float* o = out + r * cols;
#ifdef ENGINE_X86
      const float l = vec ? softmax_row_avx2(xr, o, width) : softmax_row_scalar(xr, o, width);
#else
      const float l = softmax_row_scalar(xr, o, width);
#endif
      if (width < cols) std::memset(o + width, 0, sizeof(float) * (cols - width));
      if (lse) lse[r] = l;
    }
  };
  parallel_range(rows, rows * cols, chunk);
}

double sigmoid_bce(const float* x, const float* t, float* p, int64_t n) {
  double total = 0;
  for (int64_t i = 0; i < n; i++) {
    const float xi = x[i];
    const float e = std::exp(-std::fabs(xi));  // in (0, 1]: no overflow either way
    const float inv = 1.0f / (1.0f + e);
    p[i] = xi >= 0 ? inv : e * inv;
    total += std::max(xi, 0.0f) - xi * t[i] + std::log1p(e);
  }
  return total;
}

namespace {
// Output columns oj whose input column oj * stride - pad + kj lies inside [0, w): [lo, hi). Hoisting these
// bounds out of the inner loops leaves them branch-free (the per-element test cost more than the copy).
struct ColumnRange {
  int64_t lo, hi;
};
ColumnRange valid_columns(const ConvGeometry& g, int64_t kj) {
  const int64_t shift = kj - g.pad;  // iw = oj * stride + shift
  int64_t lo = shift >= 0 ? 0 : (-shift + g.stride - 1) / g.stride;
  int64_t hi = g.w - 1 - shift < 0 ? 0 : (g.w - 1 - shift) / g.stride + 1;
  lo = std::min(lo, g.ow);
  hi = std::max(lo, std::min(hi, g.ow));
  return {lo, hi};
}
}  // namespace

void im2col(const float* x, const ConvGeometry& g, float* cols) {
  const int64_t P = g.oh * g.ow, NP = g.n * P;
  // Each input row is copied once into a zero-padded buffer, so the kw column rows that read it become
  // bound-free strided copies (per-element padding tests dominated this kernel).
  const int64_t padded_width = (g.ow - 1) * g.stride + g.kw;
  parallel_range(g.c, g.c * g.kh * g.kw * NP, [&](int64_t c0, int64_t c1) {
    std::vector<float> padded(static_cast<size_t>(std::max<int64_t>(padded_width, g.w + g.pad)), 0.0f);
    for (int64_t c = c0; c < c1; c++)
      for (int64_t ki = 0; ki < g.kh; ki++) {
        float* rows = cols + (c * g.kh + ki) * g.kw * NP;  // the kw rows (c, ki, 0..kw-1)
        for (int64_t n = 0; n < g.n; n++) {
          const float* img = x + (n * g.c + c) * g.h * g.w;
          for (int64_t oi = 0; oi < g.oh; oi++) {
            const int64_t column = n * P + oi * g.ow;
            const int64_t ih = oi * g.stride - g.pad + ki;
            if (ih < 0 || ih >= g.h) {
              for (int64_t kj = 0; kj < g.kw; kj++) std::memset(rows + kj * NP + column, 0, sizeof(float) * g.ow);
              continue;
            }
            // padded[t] = x[ih, t - pad] inside the image, 0 outside.
            const int64_t copy = std::max<int64_t>(0, std::min(g.w, padded_width - g.pad));
            std::memcpy(padded.data() + g.pad, img + ih * g.w, sizeof(float) * copy);
            const float* __restrict src = padded.data();
            for (int64_t kj = 0; kj < g.kw; kj++) {
              float* __restrict dst = rows + kj * NP + column;
              if (g.stride == 2)
                for (int64_t oj = 0; oj < g.ow; oj++) dst[oj] = src[2 * oj + kj];
              else
                for (int64_t oj = 0; oj < g.ow; oj++) dst[oj] = src[oj * g.stride + kj];
            }
          }
        }
      }
  });
}

void col2im(const float* cols, const ConvGeometry& g, float* x) {
  const int64_t P = g.oh * g.ow, NP = g.n * P;
  // Split by channel: each channel's pixels are written by its own rows only, so ranges never collide.
  parallel_range(g.c, g.c * g.kh * g.kw * NP, [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; c++)
      for (int64_t ki = 0; ki < g.kh; ki++)
        for (int64_t kj = 0; kj < g.kw; kj++) {
          const float* __restrict row = cols + ((c * g.kh + ki) * g.kw + kj) * NP;
          const auto [lo, hi] = valid_columns(g, kj);
          const int64_t shift = kj - g.pad;
          for (int64_t n = 0; n < g.n; n++) {
            float* img = x + (n * g.c + c) * g.h * g.w;
            for (int64_t oi = 0; oi < g.oh; oi++) {
              const int64_t ih = oi * g.stride - g.pad + ki;
              if (ih < 0 || ih >= g.h) continue;
              const float* __restrict src = row + n * P + oi * g.ow;
              float* __restrict dst = img + ih * g.w + shift;
              if (g.stride == 2)
                for (int64_t oj = lo; oj < hi; oj++) dst[2 * oj] += src[oj];
              else
                for (int64_t oj = lo; oj < hi; oj++) dst[oj * g.stride] += src[oj];
            }
          }
        }
  });
}

void to_channel_major(const float* x, int64_t n, int64_t c, int64_t p, float* out) {
  parallel_range(c, n * c * p, [&](int64_t c0, int64_t c1) {
    for (int64_t ch = c0; ch < c1; ch++)
      for (int64_t i = 0; i < n; i++) std::memcpy(out + (ch * n + i) * p, x + (i * c + ch) * p, sizeof(float) * p);
  });
}

void add_from_channel_major(const float* y, int64_t n, int64_t c, int64_t p, const float* bias, float* out) {
  parallel_range(c, n * c * p, [&](int64_t c0, int64_t c1) {
    for (int64_t ch = c0; ch < c1; ch++) {
      const float b = bias ? bias[ch] : 0.0f;
      for (int64_t i = 0; i < n; i++) {
        const float* src = y + (ch * n + i) * p;
        float* dst = out + (i * c + ch) * p;
        for (int64_t j = 0; j < p; j++) dst[j] += src[j] + b;
      }
    }
  });
}

void channel_sums(const float* g, int64_t n, int64_t c, int64_t p, float* gb) {
  parallel_range(c, n * c * p, [&](int64_t c0, int64_t c1) {
    for (int64_t ch = c0; ch < c1; ch++) {
      double acc = 0;
      for (int64_t i = 0; i < n; i++) {
        const float* src = g + (i * c + ch) * p;
        float part = 0;
        for (int64_t j = 0; j < p; j++) part += src[j];
        acc += part;
      }
      gb[ch] += static_cast<float>(acc);
    }
  });
}

void add_channel_bias(float* out, int64_t n, int64_t c, int64_t p, const float* bias) {
  parallel_range(n * c, n * c * p, [&](int64_t q0, int64_t q1) {
    for (int64_t q = q0; q < q1; q++) {
      float* __restrict dst = out + q * p;
      const float b = bias[q % c];
      for (int64_t j = 0; j < p; j++) dst[j] += b;
    }
  });
}

void relu(const float* x, float* out, int64_t n) {
  parallel_range(n, n, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i++) out[i] = x[i] > 0.0f ? x[i] : 0.0f;
  });
}

namespace {
// Branch-free (the sign of x is a coin toss, so a branch mispredicts half the time) and with restrict
// pointers so the compiler vectorises it: the branchy form ran 40x slower than the forward pass.
void relu_backward_range(const float* __restrict x, const float* __restrict g, float* __restrict gx, int64_t n) {
  for (int64_t i = 0; i < n; i++) gx[i] += (x[i] > 0.0f ? 1.0f : 0.0f) * g[i];
}
}  // namespace

void relu_backward(const float* x, const float* g, float* gx, int64_t n) {
  parallel_range(n, n, [&](int64_t i0, int64_t i1) { relu_backward_range(x + i0, g + i0, gx + i0, i1 - i0); });
}

void axpy(float alpha, const float* x, float* y, int64_t n) {
  parallel_range(n, n, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i++) y[i] += alpha * x[i];
  });
}

void layer_norm(const float* x, const float* gain, const float* bias, int64_t rows, int64_t n, float eps, float* out,
                float* xhat, float* rstd) {
  parallel_range(rows, rows * n * 4, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const float* __restrict xr = x + r * n;
      float* __restrict hr = xhat + r * n;
      float* __restrict orow = out + r * n;
      double mean = 0;
      for (int64_t j = 0; j < n; j++) mean += xr[j];
      const float m = static_cast<float>(mean / n);
      double var = 0;
      for (int64_t j = 0; j < n; j++) {
        const float d = xr[j] - m;
        var += d * d;
      }
      const float rs = static_cast<float>(1.0 / std::sqrt(var / n + eps));
      rstd[r] = rs;
      for (int64_t j = 0; j < n; j++) {
        const float h = (xr[j] - m) * rs;
        hr[j] = h;
        orow[j] = h * gain[j] + bias[j];
      }
    }
  });
}

void layer_norm_backward(const float* g, const float* xhat, const float* rstd, const float* gain, int64_t rows,
                         int64_t n, float* gx, float* gg, float* gb) {
  if (gx) {
    parallel_range(rows, rows * n * 4, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; r++) {
        const float* __restrict gr = g + r * n;
        const float* __restrict hr = xhat + r * n;
        float* __restrict xr = gx + r * n;
        double sum_d = 0, sum_dh = 0;
        for (int64_t j = 0; j < n; j++) {
          const float d = gr[j] * gain[j];
          sum_d += d;
          sum_dh += d * hr[j];
        }
        const float rs = rstd[r], md = static_cast<float>(sum_d / n), mdh = static_cast<float>(sum_dh / n);
        for (int64_t j = 0; j < n; j++) xr[j] += rs * (gr[j] * gain[j] - md - hr[j] * mdh);
      }
    });
  }
  if (gg || gb) {
    // Column ranges: every thread sums all rows of its own columns, so no two threads write one element.
    parallel_range(n, rows * n * 2, [&](int64_t j0, int64_t j1) {
      for (int64_t r = 0; r < rows; r++) {
        const float* __restrict gr = g + r * n;
        const float* __restrict hr = xhat + r * n;
        if (gg)
          for (int64_t j = j0; j < j1; j++) gg[j] += gr[j] * hr[j];
        if (gb)
          for (int64_t j = j0; j < j1; j++) gb[j] += gr[j];
      }
    });
  }
}

void softmax_backward(const float* o, const float* g, float* gx, int64_t rows, int64_t cols, bool causal) {
  parallel_range(rows, rows * cols * 2, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const int64_t width = causal ? (r % cols) + 1 : cols;
      const float* __restrict orow = o + r * cols;
      const float* __restrict gr = g + r * cols;
      float* __restrict xr = gx + r * cols;
      double dot = 0;
      for (int64_t j = 0; j < width; j++) dot += gr[j] * orow[j];
      const float d = static_cast<float>(dot);
      for (int64_t j = 0; j < width; j++) xr[j] += orow[j] * (gr[j] - d);
    }
  });
}

void permute(float* x, const int64_t* shape, const int64_t* perm, int64_t rank, float* out, bool backward) {
  int64_t in_strides[8], out_shape[8], strides[8];
  int64_t acc = 1;
  for (int64_t i = rank - 1; i >= 0; i--) {
    in_strides[i] = acc;
    acc *= shape[i];
  }
  const int64_t total = acc;
  if (total == 0) return;
  for (int64_t i = 0; i < rank; i++) {
    out_shape[i] = shape[perm[i]];
    strides[i] = in_strides[perm[i]];
  }
  const int64_t last = rank - 1;
  const int64_t inner_n = out_shape[last], inner_s = strides[last];
  const int64_t outer = total / inner_n;
  // Outer rows split over threads; each finds its starting input offset from its row index.
  parallel_range(outer, total, [&](int64_t q0, int64_t q1) {
    int64_t idx[8] = {0};
    int64_t in_base = 0;
    {
      int64_t q = q0;
      for (int64_t d = last - 1; d >= 0; d--) {
        idx[d] = q % out_shape[d];
        q /= out_shape[d];
        in_base += idx[d] * strides[d];
      }
    }
    for (int64_t q = q0; q < q1; q++) {
      float* o = out + q * inner_n;
      float* xi = x + in_base;
      if (!backward && inner_s == 1) std::memcpy(o, xi, sizeof(float) * inner_n);
      else if (!backward)
        for (int64_t j = 0; j < inner_n; j++) o[j] = xi[j * inner_s];
      else if (inner_s == 1)
        for (int64_t j = 0; j < inner_n; j++) xi[j] += o[j];
      else
        for (int64_t j = 0; j < inner_n; j++) xi[j * inner_s] += o[j];
      for (int64_t d = last - 1; d >= 0; d--) {
        idx[d]++;
        in_base += strides[d];
        if (idx[d] < out_shape[d]) break;
        in_base -= idx[d] * strides[d];
        idx[d] = 0;
      }
    }
  });
}

namespace {
void scale_range(float alpha, const float* __restrict x, float* __restrict out, int64_t n) {
  for (int64_t i = 0; i < n; i++) out[i] = alpha * x[i];
}
}  // namespace

void scale(float alpha, const float* x, float* out, int64_t n) {
  parallel_range(n, n, [&](int64_t i0, int64_t i1) { scale_range(alpha, x + i0, out + i0, i1 - i0); });
}

namespace {
void add_row(const float* __restrict x, const float* __restrict y, float sign, float* __restrict out, int64_t nb) {
  for (int64_t j = 0; j < nb; j++) out[j] = x[j] + sign * y[j];
}
void accumulate_row(const float* __restrict g, float* __restrict acc, int64_t nb) {
  for (int64_t j = 0; j < nb; j++) acc[j] += g[j];
}
}  // namespace

void add_rows(const float* x, const float* y, float sign, float* out, int64_t n, int64_t nb) {
  const int64_t rows = n / nb;
  parallel_range(rows, n * 2, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) add_row(x + r * nb, y, sign, out + r * nb, nb);
  });
}

void sum_rows(const float* g, float sign, float* gy, int64_t n, int64_t nb) {
  const int64_t rows = n / nb;
  // Column ranges per thread (each sums all rows of its own columns), partial sums in float as the rows go.
  parallel_range(nb, n, [&](int64_t j0, int64_t j1) {
    std::vector<float> acc(j1 - j0, 0.0f);
    for (int64_t r = 0; r < rows; r++) accumulate_row(g + r * nb + j0, acc.data(), j1 - j0);
    for (int64_t j = j0; j < j1; j++) gy[j] += sign * acc[j - j0];
  });
}

void adam_step(float* w, const float* g, float* m, float* v, int64_t n, const AdamArgs& a) {
  parallel_range(n, n * 4, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i++) {
      const float gi = g[i] + a.l2 * w[i];
      const float mi = a.beta1 * m[i] + (1 - a.beta1) * gi;
      const float vi = a.beta2 * v[i] + (1 - a.beta2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      w[i] = w[i] * a.shrink - a.step_size * mi / (std::sqrt(vi) / a.root_c2 + a.eps);
    }
  });
}

}  // namespace engine
