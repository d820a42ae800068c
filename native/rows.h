// Row-wise and element-wise kernels that dominate a training step once GEMM is fast: softmax (with the
// causal mask and the log-sum-exp that cross-entropy needs), y += a x, and the Adam update.
#pragma once
#include <cstdint>

namespace engine {

// out[r, :] = softmax(x[r, :width]) with width = cols, or (r mod cols) + 1 when causal (masked entries get 0);
// lse[r] = log(sum(exp(x[r, :width]))) when lse is not null.
void softmax_rows(const float* x, float* out, int64_t rows, int64_t cols, bool causal, float* lse);

// y[i] += alpha * x[i]
void axpy(float alpha, const float* x, float* y, int64_t n);

struct AdamArgs {
  float beta1, beta2, step_size, root_c2, eps, l2, shrink;
};
// m, v updated; w = w * shrink - step_size * m / (sqrt(v) / root_c2 + eps), with g + l2 * w as the gradient.
void adam_step(float* w, const float* g, float* m, float* v, int64_t n, const AdamArgs& a);

}  // namespace engine
