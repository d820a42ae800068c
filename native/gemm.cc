// The GEMM driver: blocking, packing and threading around the micro-kernels (Goto/BLIS structure).
// A task is one MC x NC tile of one batch entry's C; it packs its own panels, so tasks are independent and
// the thread pool hands them out dynamically.
#include "gemm.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "pool.h"

namespace engine {
namespace {

constexpr int64_t MC = 96;    // rows of A per block: a multiple of every kernel's MR (4, 6, 12); 96 KB in L2
constexpr int64_t NC = 2048;  // columns of B per panel: a multiple of every NR (8, 16, 32); 2 MB, shared
constexpr int64_t KC = 256;   // depth per block: a B sliver (KC x NR, <= 32 KB) stays in L1
// Below this many flops a product runs on the calling thread alone: waking workers costs more.
constexpr double kParallelFlops = 1 << 18;

KernelInfo g_kernel = portable_kernel();
std::unique_ptr<ThreadPool> g_pool;
int g_threads = 1;

float* aligned_floats(int64_t n) {
  return static_cast<float*>(std::aligned_alloc(64, ((n * sizeof(float) + 63) / 64) * 64));
}

// Per-thread packing space: an A block, and a B panel for products that a single thread runs alone.
struct Panels {
  // + 16: the vector packers may write a few floats past the last sliver.
  float* a = aligned_floats(MC * KC + 16);
  float* b = aligned_floats(KC * NC + 16);
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
    if (!g.trans_a && rows == mr && g_kernel.pack_a_rows) {
      g_kernel.pack_a_rows(A + (i0 + s) * g.lda + p0, g.lda, kc, dst);
    } else if (!g.trans_a) {
      // A stored m x k: read each row contiguously, write it down the sliver's column.
      for (int r = 0; r < rows; r++) {
        const float* src = A + (i0 + s + r) * g.lda + p0;
        for (int64_t p = 0; p < kc; p++) dst[p * mr + r] = src[p];
      }
    } else if (rows == mr && g_kernel.pack_a_cols) {
      g_kernel.pack_a_cols(A + p0 * g.lda + i0 + s, g.lda, kc, dst);
    } else {
      // A stored k x m: each depth step reads `rows` neighbouring floats of one row.
      for (int64_t p = 0; p < kc; p++) {
        const float* src = A + (p0 + p) * g.lda + i0 + s;
        for (int r = 0; r < rows; r++) dst[p * mr + r] = src[r];
      }
    }
  }
}

// op(B)[p0 .. p0+kc, j0 .. j0+nc] into slivers of nr columns, each stored k-major, zero-padded.
void pack_b(const GemmArgs& g, const float* B, int64_t j0, int64_t nc, int64_t p0, int64_t kc, int nr, float* dst) {
  for (int64_t s = 0; s < nc; s += nr, dst += kc * nr) {
    const int cols = static_cast<int>(std::min<int64_t>(nr, nc - s));
    if (cols < nr) std::memset(dst, 0, sizeof(float) * kc * nr);
    if (!g.trans_b && cols == nr && g_kernel.pack_b_cols) {
      g_kernel.pack_b_cols(B + p0 * g.ldb + j0 + s, g.ldb, kc, dst);
    } else if (!g.trans_b) {
      for (int64_t p = 0; p < kc; p++) {
        const float* src = B + (p0 + p) * g.ldb + j0 + s;
        for (int c = 0; c < cols; c++) dst[p * nr + c] = src[c];
      }
    } else if (cols == nr && g_kernel.pack_b_rows) {
      g_kernel.pack_b_rows(B + (j0 + s) * g.ldb + p0, g.ldb, kc, dst);
    } else {
      for (int c = 0; c < cols; c++) {
        const float* src = B + (j0 + s + c) * g.ldb + p0;
        for (int64_t p = 0; p < kc; p++) dst[p * nr + c] = src[p];
      }
    }
  }
}

// One MC-row block of C against a packed B panel: pack the A block, then sweep B slivers (held in L1) across
// the A slivers (streamed from L2). beta is applied on the first depth block only.
// Columns [jr0, jr1) of the panel (multiples of NR, jr1 clipped to nc) are swept.
void macro_block(const GemmArgs& g, const float* A, float* C, const float* bpanel, int64_t i0, int64_t mc_block,
                 int64_t j0, int64_t nc, int64_t jr0, int64_t jr1, int64_t p0, int64_t kc, float* apack) {
  const KernelInfo kern = g_kernel;
  if (i0 >= g.m || jr0 >= nc) return;
  const int64_t mc = std::min(mc_block, g.m - i0);
  const float beta = p0 == 0 ? g.beta : 1.0f;
  pack_a(g, A, i0, mc, p0, kc, kern.mr, apack);
  for (int64_t jr = jr0; jr < std::min(jr1, nc); jr += kern.nr) {
    const float* bp = bpanel + (jr / kern.nr) * kc * kern.nr;
    const int nr = static_cast<int>(std::min<int64_t>(kern.nr, nc - jr));
    for (int64_t ir = 0; ir < mc; ir += kern.mr) {
      const float* ap = apack + (ir / kern.mr) * kc * kern.mr;
      const int mr = static_cast<int>(std::min<int64_t>(kern.mr, mc - ir));
      kern.kernel(kc, ap, bp, C + (i0 + ir) * g.ldc + j0 + jr, g.ldc, g.alpha, beta, mr, nr);
    }
  }
}

void scale_c(const GemmArgs& g, float* C) {
  for (int64_t i = 0; i < g.m; i++) {
    float* row = C + i * g.ldc;
    if (g.beta == 0.0f) std::memset(row, 0, sizeof(float) * g.n);
    else if (g.beta != 1.0f)
      for (int64_t j = 0; j < g.n; j++) row[j] *= g.beta;
  }
}

// One product of the batch, Goto-style: for each B panel (NC x KC, packed once), every MC block of A.
// With a pool, the A blocks of each panel are spread over the threads, which share the packed panel.
void gemm_one(const GemmArgs& g, int64_t q, ThreadPool* pool) {
  const float* A = g.a + q * g.stride_a;
  const float* B = g.b + q * g.stride_b;
  float* C = g.c + q * g.stride_c;
  if (g.k == 0 || g.alpha == 0.0f) {
    scale_c(g, C);
    return;
  }
  const KernelInfo kern = g_kernel;
  float* bpanel = panels().b;
  // Equal row blocks (a multiple of MR each) rather than full MC blocks plus a thin remainder: M = 128
  // becomes 2 x 66 rows, not 96 + 32, which keeps every block's micro-tiles full and the threads balanced.
  const int64_t blocks = (g.m + MC - 1) / MC;
  const int64_t per_block = (g.m + blocks - 1) / blocks;
  const int64_t mc_block = std::min(MC, (per_block + kern.mr - 1) / kern.mr * kern.mr);
  for (int64_t j0 = 0; j0 < g.n; j0 += NC) {
    const int64_t nc = std::min(NC, g.n - j0);
    for (int64_t p0 = 0; p0 < g.k; p0 += KC) {
      const int64_t kc = std::min(KC, g.k - p0);
      pack_b(g, B, j0, nc, p0, kc, kern.nr, bpanel);
      // Too few row blocks to keep every thread busy (e.g. a weight gradient with M = channels): also split
      // the panel's columns, at the cost of packing the same A block once per column part.
      const int64_t slivers = (nc + kern.nr - 1) / kern.nr;
      const int64_t parts = pool && blocks < 2 * pool->threads()
                                ? std::min<int64_t>(slivers, (2 * pool->threads() + blocks - 1) / blocks)
                                : 1;
      const int64_t per_part = (slivers + parts - 1) / parts * kern.nr;
      auto task = [&](int64_t t) {
        const int64_t ib = t / parts, jp = t % parts;
        macro_block(g, A, C, bpanel, ib * mc_block, mc_block, j0, nc, jp * per_part, (jp + 1) * per_part, p0, kc,
                    panels().a);
      };
      if (pool && blocks * parts > 1) {
        pool->parallel_for(blocks * parts, task);
      } else {
        for (int64_t t = 0; t < blocks * parts; t++) task(t);
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
  const double flops = 2.0 * g.m * g.n * g.k * g.batch;
  ThreadPool* pool = flops < kParallelFlops ? nullptr : g_pool.get();
  if (pool && g.batch >= pool->threads()) {
    // Many products (attention heads, images): one per task, each on its own thread's panels.
    pool->parallel_for(g.batch, [&](int64_t q) { gemm_one(g, q, nullptr); });
    return;
  }
  for (int64_t q = 0; q < g.batch; q++) gemm_one(g, q, pool);
}

void parallel_range(int64_t n, int64_t work, const std::function<void(int64_t, int64_t)>& fn) {
  ThreadPool* pool = g_pool.get();
  if (!pool || work < (1 << 16) || n < 2) {
    fn(0, n);
    return;
  }
  const int64_t parts = std::min<int64_t>(n, pool->threads() * 4);
  pool->parallel_for(parts, [&](int64_t p) { fn(n * p / parts, n * (p + 1) / parts); });
}

double fma_peak_gflops() {
  double (*loop)(int64_t) = nullptr;
  double flops_per_iteration = 0;
  if (std::strcmp(g_kernel.isa, "avx512") == 0) {
    loop = avx512_fma_loop;
    flops_per_iteration = 16 * 16 * 2;
  } else if (std::strcmp(g_kernel.isa, "avx2") == 0) {
    loop = avx2_fma_loop;
    flops_per_iteration = 12 * 8 * 2;
  } else {
    return 0;
  }
  loop(1 << 20);  // warm up (clock ramp, AVX frequency licence)
  double best = 0;
  for (int r = 0; r < 5; r++) {
    const int64_t iterations = 1 << 24;
    const auto t0 = std::chrono::steady_clock::now();
    volatile double sink = loop(iterations);
    (void)sink;
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::max(best, flops_per_iteration * iterations / s / 1e9);
  }
  return best;
}

}  // namespace engine
