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
                                                 int64_t ldc, float alpha, int mr, int nr) {
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
#pragma GCC unroll 12
    for (int i = 0; i < MR; i++) {
      float* ci = c + i * ldc;
      _mm512_storeu_ps(ci, _mm512_fmadd_ps(va, acc[i][0], _mm512_loadu_ps(ci)));
      _mm512_storeu_ps(ci + 16, _mm512_fmadd_ps(va, acc[i][1], _mm512_loadu_ps(ci + 16)));
    }
    return;
  }
  alignas(64) float tile[MR][NR];
  for (int i = 0; i < MR; i++) {
    _mm512_store_ps(tile[i], acc[i][0]);
    _mm512_store_ps(tile[i] + 16, acc[i][1]);
  }
  for (int i = 0; i < mr; i++)
    for (int j = 0; j < nr; j++) c[i * ldc + j] += alpha * tile[i][j];
}

}  // namespace

KernelInfo avx512_kernel() { return {"avx512", MR, NR, kernel}; }

}  // namespace engine

#else
namespace engine {
KernelInfo avx512_kernel() { return {"avx512", 0, 0, nullptr}; }
}  // namespace engine
#endif
