// Single-precision GEMM for the engine: row-major, transpose flags and leading dimensions on both operands,
// batched with per-operand strides. Packs op(A) and op(B) into register-tile slivers (so transposes cost
// nothing in the inner loop) and runs a micro-kernel chosen once at load time from the CPU's features.
#pragma once
#include <cstdint>

namespace engine {

// One micro-kernel: C[mr x nr] += alpha * Apanel[kc x MR]^T * Bpanel[kc x NR], writing only the first
// mr rows and nr columns of the tile (edge tiles).
using MicroKernel = void (*)(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, float alpha,
                             int mr, int nr);

struct KernelInfo {
  const char* isa;
  int mr;
  int nr;
  MicroKernel kernel;
};

// The kernels compiled into this binary; a null kernel means the CPU (or compiler) lacks that ISA.
KernelInfo portable_kernel();
KernelInfo avx2_kernel();
KernelInfo avx512_kernel();

struct GemmArgs {
  bool trans_a, trans_b;
  int64_t m, n, k;
  float alpha;
  const float* a;
  int64_t lda;
  const float* b;
  int64_t ldb;
  float beta;
  float* c;
  int64_t ldc;
  int64_t batch, stride_a, stride_b, stride_c;
};

// Selects the micro-kernel: "auto" (best the CPU supports), "avx512", "avx2" or "portable".
// Returns the ISA now in use, or nullptr if the requested one is not available here.
const char* select_isa(const char* name);
const char* current_isa();
void set_threads(int n);
int get_threads();
void gemm(const GemmArgs& g);

}  // namespace engine
