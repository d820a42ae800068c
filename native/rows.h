// Row-wise and element-wise kernels that dominate a training step once GEMM is fast: softmax (with the
// causal mask and the log-sum-exp that cross-entropy needs), y += a x, and the Adam update.
#pragma once
#include <cstdint>

namespace engine {

// out[r, :] = softmax(x[r, :width]) with width = cols, or (r mod cols) + 1 when causal (masked entries get 0);
// lse[r] = log(sum(exp(x[r, :width]))) when lse is not null.
void softmax_rows(const float* x, float* out, int64_t rows, int64_t cols, bool causal, float* lse);

// Summed binary cross-entropy of sigmoid(x) against t, stable for large |x|; writes p = sigmoid(x).
double sigmoid_bce(const float* x, const float* t, float* p, int64_t n);

// y[i] += alpha * x[i]
// out[i] = alpha * x[i]
// Broadcast add over rows of nb: out[r * nb + j] = x[r * nb + j] + sign * y[j] (n a multiple of nb).
void add_rows(const float* x, const float* y, float sign, float* out, int64_t n, int64_t nb);
// Its gradient for y: gy[j] += sign * sum over r of g[r * nb + j].
void sum_rows(const float* g, float sign, float* gy, int64_t n, int64_t nb);
void scale(float alpha, const float* x, float* out, int64_t n);
void axpy(float alpha, const float* x, float* y, int64_t n);

// Convolution geometry (NCHW input; output positions oh x ow).
struct ConvGeometry {
  int64_t n, c, h, w, kh, kw, stride, pad, oh, ow;
};
// cols[(c, ki, kj), (n, oi, oj)] = x[n, c, oi*stride - pad + ki, oj*stride - pad + kj] (0 in the padding).
void im2col(const float* x, const ConvGeometry& g, float* cols);
// The adjoint: x[...] += cols[...] for every column entry.
void col2im(const float* cols, const ConvGeometry& g, float* x);

// Layout shuffles around the batched convolution GEMM (P = pixels per image):
// to_channel_major: x [N, C, P] -> out [C, N*P] (copy);
// add_from_channel_major: out [N, C, P] += y [C, N*P] + bias[c] (bias may be null);
// channel_sums: gb[c] += sum over n, p of g [N, C, P].
void to_channel_major(const float* x, int64_t n, int64_t c, int64_t p, float* out);
void add_from_channel_major(const float* y, int64_t n, int64_t c, int64_t p, const float* bias, float* out);
void channel_sums(const float* g, int64_t n, int64_t c, int64_t p, float* gb);
// out [N, C, P] += bias[c] (a transposed convolution's bias).
void add_channel_bias(float* out, int64_t n, int64_t c, int64_t p, const float* bias);

// out = max(x, 0); gx += g where x > 0.
void relu(const float* x, float* out, int64_t n);
void relu_backward(const float* x, const float* g, float* gx, int64_t n);

// Layer norm over rows of n: xhat = (x - mean) * rstd, out = xhat * gain + bias; saves xhat and rstd[r].
void layer_norm(const float* x, const float* gain, const float* bias, int64_t rows, int64_t n, float eps, float* out,
                float* xhat, float* rstd);
// Its backward from the output gradient g: gx += rstd * (g*gain - mean(g*gain) - xhat * mean(g*gain*xhat)),
// gg += sum over rows of g * xhat, gb += sum over rows of g (each may be null).
void layer_norm_backward(const float* g, const float* xhat, const float* rstd, const float* gain, int64_t rows,
                         int64_t n, float* gx, float* gg, float* gb);
// Softmax backward: gx[r, j] += o[r, j] * (g[r, j] - sum_j g[r, j] o[r, j]) over each row's width (causal as in
// softmax_rows).
void softmax_backward(const float* o, const float* g, float* gx, int64_t rows, int64_t cols, bool causal);
// A permutation of a rank <= 8 row-major tensor: out = x.permute(perm) (contiguous), or with `backward`
// x += the inverse permutation of out (the gradient).
void permute(float* x, const int64_t* shape, const int64_t* perm, int64_t rank, float* out, bool backward);

struct AdamArgs {
  float beta1, beta2, step_size, root_c2, eps, l2, shrink;
};
// m, v updated; w = w * shrink - step_size * m / (sqrt(v) / root_c2 + eps), with g + l2 * w as the gradient.
void adam_step(float* w, const float* g, float* m, float* v, int64_t n, const AdamArgs& a);

}  // namespace engine
