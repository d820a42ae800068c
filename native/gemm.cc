// The GEMM driver: blocking, packing and threading around the micro-kernels (Goto/BLIS structure).
// A task is one MC x NC tile of one batch entry's C; it packs its own panels, so tasks are independent and
// the thread pool hands them out dynamically.
#include "gemm.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "pool.h"

namespace engine {
namespace {

constexpr int64_t MC = 96;   // rows of A per block: a multiple of every kernel's MR (4, 6, 12)
constexpr int64_t NC = 256;  // columns of B per block: a multiple of every kernel's NR (8, 16, 32)
constexpr int64_t KC = 256;  // depth per block: the A block (96 KB) stays in L2, a B sliver (<= 32 KB) in L1
// Below this many flops a product runs on the calling thread alone: waking workers costs more.
constexpr double kParallelFlops = 1 << 18;

KernelInfo g_kernel = portable_kernel();
std::unique_ptr<ThreadPool> g_pool;
int g_threads = 1;

struct Panels {
  float* a = nullptr;
  float* b = nullptr;
  Panels() {
    a = static_cast<float*>(std::aligned_alloc(64, MC * KC * sizeof(float)));
    b = static_cast<float*>(std::aligned_alloc(64, KC * NC * sizeof(float)));
  }
  ~Panels() {
    std::free(a);
    std::free(b);
  }
};

Panels& panels() {
  thread_local Panels p;
  return p;
}

bool cpu_supports(const char* isa) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  if (std::strcmp(isa, "avx512") == 0) return __builtin_cpu_supports("avx512f");
  if (std::strcmp(isa, "avx2") == 0) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
  return std::strcmp(isa, "portable") == 0;
}

// op(A)[i0 .. i0+mc, p0 .. p0+kc] into slivers of mr rows, each stored k-major (mr floats per k step),
// zero-padded past the last row so the kernel never branches.
void pack_a(const GemmArgs& g, const float* A, int64_t i0, int64_t mc, int64_t p0, int64_t kc, int mr, float* dst) {
  for (int64_t s = 0; s < mc; s += mr, dst += kc * mr) {
    const int rows = static_cast<int>(std::min<int64_t>(mr, mc - s));
    if (rows < mr) std::memset(dst, 0, sizeof(float) * kc * mr);
    for (int r = 0; r < rows; r++) {
      const int64_t i = i0 + s + r;
      if (!g.trans_a) {
        const float* src = A + i * g.lda + p0;
        for (int64_t p = 0; p < kc; p++) dst[p * mr + r] = src[p];
      } else {
        const float* src = A + p0 * g.lda + i;
        for (int64_t p = 0; p < kc; p++) dst[p * mr + r] = src[p * g.lda];
      }
    }
  }
}

// op(B)[p0 .. p0+kc, j0 .. j0+nc] into slivers of nr columns, each stored k-major, zero-padded.
void pack_b(const GemmArgs& g, const float* B, int64_t j0, int64_t nc, int64_t p0, int64_t kc, int nr, float* dst) {
  for (int64_t s = 0; s < nc; s += nr, dst += kc * nr) {
    const int cols = static_cast<int>(std::min<int64_t>(nr, nc - s));
    if (cols < nr) std::memset(dst, 0, sizeof(float) * kc * nr);
    if (!g.trans_b) {
      for (int64_t p = 0; p < kc; p++) {
        const float* src = B + (p0 + p) * g.ldb + j0 + s;
        for (int c = 0; c < cols; c++) dst[p * nr + c] = src[c];
      }
    } else {
      for (int c = 0; c < cols; c++) {
        const float* src = B + (j0 + s + c) * g.ldb + p0;
        for (int64_t p = 0; p < kc; p++) dst[p * nr + c] = src[p];
      }
    }
  }
}

void run_tile(const GemmArgs& g, int64_t q, int64_t i0, int64_t j0) {
  const KernelInfo kern = g_kernel;
  const float* A = g.a + q * g.stride_a;
  const float* B = g.b + q * g.stride_b;
  float* C = g.c + q * g.stride_c;
  const int64_t mc = std::min(MC, g.m - i0);
  const int64_t nc = std::min(NC, g.n - j0);
  for (int64_t i = 0; i < mc; i++) {
    float* row = C + (i0 + i) * g.ldc + j0;
    if (g.beta == 0.0f) {
      std::memset(row, 0, sizeof(float) * nc);
    } else if (g.beta != 1.0f) {
      for (int64_t j = 0; j < nc; j++) row[j] *= g.beta;
    }
  }
  if (g.alpha == 0.0f) return;
  Panels& pn = panels();
  for (int64_t p0 = 0; p0 < g.k; p0 += KC) {
    const int64_t kc = std::min(KC, g.k - p0);
    pack_b(g, B, j0, nc, p0, kc, kern.nr, pn.b);
    pack_a(g, A, i0, mc, p0, kc, kern.mr, pn.a);
    for (int64_t jr = 0; jr < nc; jr += kern.nr) {
      const float* bp = pn.b + (jr / kern.nr) * kc * kern.nr;
      const int nr = static_cast<int>(std::min<int64_t>(kern.nr, nc - jr));
      for (int64_t ir = 0; ir < mc; ir += kern.mr) {
        const float* ap = pn.a + (ir / kern.mr) * kc * kern.mr;
        const int mr = static_cast<int>(std::min<int64_t>(kern.mr, mc - ir));
        kern.kernel(kc, ap, bp, C + (i0 + ir) * g.ldc + j0 + jr, g.ldc, g.alpha, mr, nr);
      }
    }
  }
}

}  // namespace

KernelInfo kernel_for(const char* name) {
  if (std::strcmp(name, "avx512") == 0) return avx512_kernel();
  if (std::strcmp(name, "avx2") == 0) return avx2_kernel();
  return portable_kernel();
}

const char* select_isa(const char* name) {
  if (std::strcmp(name, "auto") == 0) {
    for (const char* isa : {"avx512", "avx2"}) {
      if (cpu_supports(isa) && kernel_for(isa).kernel) {
        g_kernel = kernel_for(isa);
        return g_kernel.isa;
      }
    }
    g_kernel = portable_kernel();
    return g_kernel.isa;
  }
  if (std::strcmp(name, "avx512") != 0 && std::strcmp(name, "avx2") != 0 && std::strcmp(name, "portable") != 0)
    return nullptr;
  if (!cpu_supports(name) || !kernel_for(name).kernel) return nullptr;
  g_kernel = kernel_for(name);
  return g_kernel.isa;
}

const char* current_isa() { return g_kernel.isa; }

void set_threads(int n) {
  n = std::max(1, n);
  if (n == g_threads && (n == 1 || g_pool)) return;
  g_pool.reset(n > 1 ? new ThreadPool(n) : nullptr);
  g_threads = n;
}

int get_threads() { return g_threads; }

void gemm(const GemmArgs& g) {
  if (g.m <= 0 || g.n <= 0 || g.batch <= 0) return;
  const int64_t mb = (g.m + MC - 1) / MC;
  const int64_t nb = (g.n + NC - 1) / NC;
  const int64_t tasks = g.batch * mb * nb;
  auto task = [&](int64_t t) {
    const int64_t q = t / (mb * nb);
    const int64_t r = t % (mb * nb);
    run_tile(g, q, (r / nb) * MC, (r % nb) * NC);
  };
  const double flops = 2.0 * g.m * g.n * g.k * g.batch;
  if (!g_pool || flops < kParallelFlops) {
    for (int64_t t = 0; t < tasks; t++) task(t);
  } else {
    g_pool->parallel_for(tasks, task);
  }
}

}  // namespace engine
