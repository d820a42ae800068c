// Single-precision GEMM for the engine: row-major, transpose flags and leading dimensions on both operands,
// batched with per-operand strides. Packs op(A) and op(B) into register-tile slivers (so transposes cost
// nothing in the inner loop) and runs a micro-kernel chosen once at load time from the CPU's features.
#pragma once
#include <cstdint>
#include <functional>

namespace engine {

// One micro-kernel: C[mr x nr] = alpha * Apanel[kc x MR]^T * Bpanel[kc x NR] + beta * C, writing only the
// first mr rows and nr columns of the tile (edge tiles). beta == 0 never reads C (it may hold garbage).
using MicroKernel = void (*)(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, float alpha,
                             float beta, int mr, int nr);

// Optional packing helper: rows full rows of a row-major operand (row stride ld), kc columns each, into the
// k-major sliver layout dst[p * rows + r]; may write up to 8 floats past the sliver's end (the packing buffers
// have that slack, and later slivers overwrite it).
using PackRows = void (*)(const float* src, int64_t ld, int64_t kc, float* dst);

struct KernelInfo {
  const char* isa;
  int mr;
  int nr;
  MicroKernel kernel;
  PackRows pack_a_rows = nullptr;  // mr rows of a non-transposed A
  PackRows pack_b_rows = nullptr;  // nr rows of a transposed B (B stored n x k)
  PackRows pack_a_cols = nullptr;  // mr columns of a transposed A (A stored k x m): kc rows of mr floats
  PackRows pack_b_cols = nullptr;  // nr columns of a non-transposed B: kc rows of nr floats
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

// Splits [0, n) into contiguous ranges over the thread pool when `work` (elements touched) is large enough
// to pay for waking the workers; fn(begin, end) runs once per range.
void parallel_range(int64_t n, int64_t work, const std::function<void(int64_t, int64_t)>& fn);

// One core's measured peak FMA rate (GFLOP/s) with the current ISA's widest vectors; 0 for "portable".
double fma_peak_gflops();
double avx2_fma_loop(int64_t iterations);
double avx512_fma_loop(int64_t iterations);

}  // namespace engine
