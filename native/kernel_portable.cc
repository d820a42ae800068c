// The fallback micro-kernel: plain C++ the compiler vectorises for the baseline ISA (SSE2 on x86-64, NEON on
// arm64). Used where neither AVX2 nor AVX-512 is present, and by the tests to check the other two.
#include "gemm.h"

namespace engine {
namespace {

constexpr int MR = 4;
constexpr int NR = 8;

void kernel(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, float alpha, float beta,
            int mr, int nr) {
  float acc[MR][NR] = {};
  for (int64_t p = 0; p < kc; p++) {
    for (int i = 0; i < MR; i++) {
      const float ai = a[p * MR + i];
      for (int j = 0; j < NR; j++) acc[i][j] += ai * b[p * NR + j];
    }
  }
  for (int i = 0; i < mr; i++)
    for (int j = 0; j < nr; j++) c[i * ldc + j] = alpha * acc[i][j] + (beta == 0.0f ? 0.0f : beta * c[i * ldc + j]);
}

}  // namespace

KernelInfo portable_kernel() { return {"portable", MR, NR, kernel}; }

}  // namespace engine
