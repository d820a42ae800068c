// AVX-512F micro-kernel, 12 x 32: twenty-four 16-wide accumulators, two B vectors and one broadcast of A
// (27 of the 32 zmm registers). Same contract and same runtime guard as the AVX2 kernel.
#include "gemm.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

namespace engine {
namespace {

constexpr int MR = 12;
constexpr int NR = 32;

__attribute__((target("avx512f"))) void kernel(int64_t kc, const float* a, const float* b, float* c,
                                                 int64_t ldc, float alpha, float beta, int mr, int nr) {
  __m512 acc[MR][2];
#pragma GCC unroll 12
  for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
  for (int64_t p = 0; p < kc; p++) {
    const __m512 b0 = _mm512_load_ps(b);
    const __m512 b1 = _mm512_load_ps(b + 16);
#pragma GCC unroll 12
    for (int i = 0; i < MR; i++) {
      const __m512 av = _mm512_set1_ps(a[i]);
      acc[i][0] = _mm512_fmadd_ps(av, b0, acc[i][0]);
      acc[i][1] = _mm512_fmadd_ps(av, b1, acc[i][1]);
    }
    a += MR;
    b += NR;
  }
  const __m512 va = _mm512_set1_ps(alpha);
  if (mr == MR && nr == NR) {
    if (beta == 0.0f) {
#pragma GCC unroll 12
      for (int i = 0; i < MR; i++) {
        _mm512_storeu_ps(c + i * ldc, _mm512_mul_ps(va, acc[i][0]));
        _mm512_storeu_ps(c + i * ldc + 16, _mm512_mul_ps(va, acc[i][1]));
      }
      return;
    }
    const __m512 vb = _mm512_set1_ps(beta);
#pragma GCC unroll 12
    for (int i = 0; i < MR; i++) {
      float* ci = c + i * ldc;
      _mm512_storeu_ps(ci, _mm512_fmadd_ps(va, acc[i][0], _mm512_mul_ps(vb, _mm512_loadu_ps(ci))));
      _mm512_storeu_ps(ci + 16, _mm512_fmadd_ps(va, acc[i][1], _mm512_mul_ps(vb, _mm512_loadu_ps(ci + 16))));
    }
    return;
  }
  alignas(64) float tile[MR][NR];
  for (int i = 0; i < MR; i++) {
    _mm512_store_ps(tile[i], acc[i][0]);
    _mm512_store_ps(tile[i] + 16, acc[i][1]);
  }
  for (int i = 0; i < mr; i++)
    for (int j = 0; j < nr; j++)
      c[i * ldc + j] = alpha * tile[i][j] + (beta == 0.0f ? 0.0f : beta * c[i * ldc + j]);
}

}  // namespace

// Peak FMA throughput probe (see avx2_fma_loop).
__attribute__((target("avx512f"))) double avx512_fma_loop(int64_t iterations) {
  __m512 acc[16];
  for (int i = 0; i < 16; i++) acc[i] = _mm512_set1_ps(static_cast<float>(i));
  const __m512 x = _mm512_set1_ps(0.999999f), y = _mm512_set1_ps(1e-7f);
  for (int64_t it = 0; it < iterations; it++) {
#pragma GCC unroll 16
    for (int i = 0; i < 16; i++) acc[i] = _mm512_fmadd_ps(acc[i], x, y);
  }
  __m512 s = acc[0];
  for (int i = 1; i < 16; i++) s = _mm512_add_ps(s, acc[i]);
  alignas(64) float out[16];
  _mm512_store_ps(out, s);
  return out[0];
}

KernelInfo avx512_kernel() { return {"avx512", MR, NR, kernel}; }

}  // namespace engine

#else
namespace engine {
double avx512_fma_loop(int64_t) { return 0; }
KernelInfo avx512_kernel() { return {"avx512", 0, 0, nullptr}; }
}  // namespace engine
#endif
