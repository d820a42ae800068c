// AVX2 + FMA micro-kernel, 6 x 16: twelve 8-wide accumulators, two B vectors and one broadcast of A per step
// (15 of the 16 ymm registers). Compiled with a target attribute so the binary still loads on older CPUs;
// gemm.cc only calls it after checking the CPU.
#include "gemm.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

namespace engine {
namespace {

constexpr int MR = 6;
constexpr int NR = 16;

__attribute__((target("avx2,fma"))) void kernel(int64_t kc, const float* a, const float* b, float* c,
                                                  int64_t ldc, float alpha, float beta, int mr, int nr) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
  for (int64_t p = 0; p < kc; p++) {
    const __m256 b0 = _mm256_load_ps(b);
    const __m256 b1 = _mm256_load_ps(b + 8);
    __m256 av;
    av = _mm256_broadcast_ss(a + 0);
    c00 = _mm256_fmadd_ps(av, b0, c00);
    c01 = _mm256_fmadd_ps(av, b1, c01);
    av = _mm256_broadcast_ss(a + 1);
    c10 = _mm256_fmadd_ps(av, b0, c10);
    c11 = _mm256_fmadd_ps(av, b1, c11);
    av = _mm256_broadcast_ss(a + 2);
    c20 = _mm256_fmadd_ps(av, b0, c20);
    c21 = _mm256_fmadd_ps(av, b1, c21);
    av = _mm256_broadcast_ss(a + 3);
    c30 = _mm256_fmadd_ps(av, b0, c30);
    c31 = _mm256_fmadd_ps(av, b1, c31);
    av = _mm256_broadcast_ss(a + 4);
    c40 = _mm256_fmadd_ps(av, b0, c40);
    c41 = _mm256_fmadd_ps(av, b1, c41);
    av = _mm256_broadcast_ss(a + 5);
    c50 = _mm256_fmadd_ps(av, b0, c50);
    c51 = _mm256_fmadd_ps(av, b1, c51);
    a += MR;
    b += NR;
  }
  const __m256 va = _mm256_set1_ps(alpha);
  __m256 rows[MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  if (mr == MR && nr == NR) {
    if (beta == 0.0f) {
      for (int i = 0; i < MR; i++) {
        _mm256_storeu_ps(c + i * ldc, _mm256_mul_ps(va, rows[i][0]));
        _mm256_storeu_ps(c + i * ldc + 8, _mm256_mul_ps(va, rows[i][1]));
      }
      return;
    }
    const __m256 vb = _mm256_set1_ps(beta);
    for (int i = 0; i < MR; i++) {
      float* ci = c + i * ldc;
      _mm256_storeu_ps(ci, _mm256_fmadd_ps(va, rows[i][0], _mm256_mul_ps(vb, _mm256_loadu_ps(ci))));
      _mm256_storeu_ps(ci + 8, _mm256_fmadd_ps(va, rows[i][1], _mm256_mul_ps(vb, _mm256_loadu_ps(ci + 8))));
    }
    return;
  }
  alignas(32) float tile[MR][NR];
  for (int i = 0; i < MR; i++) {
    _mm256_store_ps(tile[i], rows[i][0]);
    _mm256_store_ps(tile[i] + 8, rows[i][1]);
  }
  for (int i = 0; i < mr; i++)
    for (int j = 0; j < nr; j++)
      c[i * ldc + j] = alpha * tile[i][j] + (beta == 0.0f ? 0.0f : beta * c[i * ldc + j]);
}

// Columns p .. p+7 of eight rows (row stride ld) as eight vectors, vector q holding column p + q.
__attribute__((target("avx2,fma"))) inline void transpose8(__m256 r0, __m256 r1, __m256 r2, __m256 r3, __m256 r4,
                                                           __m256 r5, __m256 r6, __m256 r7, __m256 out[8]) {
  const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
  const __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
  const __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
  const __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
  const __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  const __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  const __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  const __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  out[0] = _mm256_permute2f128_ps(s0, s4, 0x20);
  out[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
  out[2] = _mm256_permute2f128_ps(s2, s6, 0x20);
  out[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
  out[4] = _mm256_permute2f128_ps(s0, s4, 0x31);
  out[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
  out[6] = _mm256_permute2f128_ps(s2, s6, 0x31);
  out[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

// Six rows into a 6-wide sliver, eight depth steps at a time: an 8 x 8 transpose (two zero rows) whose columns
// are stored 6 floats apart, each store's two spare lanes overwritten by the next (or left in the slack).
__attribute__((target("avx2,fma"))) void pack_a6(const float* src, int64_t ld, int64_t kc, float* dst) {
  const __m256 z = _mm256_setzero_ps();
  int64_t p = 0;
  for (; p + 8 <= kc; p += 8) {
    __m256 col[8];
    transpose8(_mm256_loadu_ps(src + p), _mm256_loadu_ps(src + ld + p), _mm256_loadu_ps(src + 2 * ld + p),
               _mm256_loadu_ps(src + 3 * ld + p), _mm256_loadu_ps(src + 4 * ld + p),
               _mm256_loadu_ps(src + 5 * ld + p), z, z, col);
    for (int q = 0; q < 8; q++) _mm256_storeu_ps(dst + (p + q) * MR, col[q]);
  }
  for (; p < kc; p++)
    for (int r = 0; r < MR; r++) dst[p * MR + r] = src[r * ld + p];
}

// Sixteen rows of B^T into a 16-wide sliver: two 8 x 8 transposes per eight depth steps.
__attribute__((target("avx2,fma"))) void pack_b16(const float* src, int64_t ld, int64_t kc, float* dst) {
  int64_t p = 0;
  for (; p + 8 <= kc; p += 8) {
    for (int h = 0; h < 2; h++) {
      const float* s = src + 8 * h * ld + p;
      __m256 col[8];
      transpose8(_mm256_loadu_ps(s), _mm256_loadu_ps(s + ld), _mm256_loadu_ps(s + 2 * ld),
                 _mm256_loadu_ps(s + 3 * ld), _mm256_loadu_ps(s + 4 * ld), _mm256_loadu_ps(s + 5 * ld),
                 _mm256_loadu_ps(s + 6 * ld), _mm256_loadu_ps(s + 7 * ld), col);
      for (int q = 0; q < 8; q++) _mm256_storeu_ps(dst + (p + q) * NR + 8 * h, col[q]);
    }
  }
  for (; p < kc; p++)
    for (int c = 0; c < NR; c++) dst[p * NR + c] = src[c * ld + p];
}

// Six neighbouring floats of each of kc rows (a transposed A): four plus two per row, no reads past the six.
__attribute__((target("avx2,fma"))) void pack_a6_cols(const float* src, int64_t ld, int64_t kc, float* dst) {
  for (int64_t p = 0; p < kc; p++, src += ld, dst += MR) {
    _mm_storeu_ps(dst, _mm_loadu_ps(src));
    _mm_storel_pi(reinterpret_cast<__m64*>(dst + 4), _mm_loadl_pi(_mm_setzero_ps(), reinterpret_cast<const __m64*>(src + 4)));
  }
}

// Sixteen neighbouring floats of each of kc rows (a non-transposed B).
__attribute__((target("avx2,fma"))) void pack_b16_cols(const float* src, int64_t ld, int64_t kc, float* dst) {
  for (int64_t p = 0; p < kc; p++, src += ld, dst += NR) {
    _mm256_storeu_ps(dst, _mm256_loadu_ps(src));
    _mm256_storeu_ps(dst + 8, _mm256_loadu_ps(src + 8));
  }
}

}  // namespace

// Peak FMA throughput probe: 12 independent accumulator chains hide the FMA latency on two pipes.
__attribute__((target("avx2,fma"))) double avx2_fma_loop(int64_t iterations) {
  __m256 acc[12];
  for (int i = 0; i < 12; i++) acc[i] = _mm256_set1_ps(static_cast<float>(i));
  const __m256 x = _mm256_set1_ps(0.999999f), y = _mm256_set1_ps(1e-7f);
  for (int64_t it = 0; it < iterations; it++) {
#pragma GCC unroll 12
    for (int i = 0; i < 12; i++) acc[i] = _mm256_fmadd_ps(acc[i], x, y);
  }
  __m256 s = acc[0];
  for (int i = 1; i < 12; i++) s = _mm256_add_ps(s, acc[i]);
  alignas(32) float out[8];
  _mm256_store_ps(out, s);
  return out[0];
}

KernelInfo avx2_kernel() { return {"avx2", MR, NR, kernel, pack_a6, pack_b16, pack_a6_cols, pack_b16_cols}; }

}  // namespace engine

#else
namespace engine {
double avx2_fma_loop(int64_t) { return 0; }
KernelInfo avx2_kernel() { return {"avx2", 0, 0, nullptr}; }
}  // namespace engine
#endif
