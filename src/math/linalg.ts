/**
 * Dense linear algebra for the small matrices of Gaussian models (d up to a few dozen): row-major Float64Arrays.
 * Hand-written because these run inside EM's inner loop, where calling out to a library costs more than the math.
 */
import { log } from '../numeric/libm.js';

/** Lower Cholesky factor L with A = L Lᵀ, or undefined if A is not positive definite. */
export function cholesky(a: ArrayLike<number>, d: number, out = new Float64Array(d * d)): Float64Array | undefined {
  out.fill(0);
  for (let j = 0; j < d; j++) {
    let diag = a[j * d + j];
    for (let k = 0; k < j; k++) diag -= out[j * d + k] * out[j * d + k];
    if (!(diag > 0)) return undefined;
    const ljj = Math.sqrt(diag);
    out[j * d + j] = ljj;
    for (let i = j + 1; i < d; i++) {
      let s = a[i * d + j];
      for (let k = 0; k < j; k++) s -= out[i * d + k] * out[j * d + k];
      out[i * d + j] = s / ljj;
    }
  }
  return out;
}

/** log det A from its Cholesky factor. */
export function logDetFromCholesky(l: ArrayLike<number>, d: number): number {
  let s = 0;
  for (let i = 0; i < d; i++) s += log(l[i * d + i]);
  return 2 * s;
}

/** Solves L y = b in place for lower-triangular L. */
export function forwardSubstitute(l: ArrayLike<number>, d: number, b: Float64Array): Float64Array {
  for (let i = 0; i < d; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * d + k] * b[k];
    b[i] = s / l[i * d + i];
  }
  return b;
}

/** Inverse of a lower-triangular matrix (lower-triangular). */
export function invertLower(l: ArrayLike<number>, d: number): Float64Array {
  const inv = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    inv[j * d + j] = 1 / l[j * d + j];
    for (let i = j + 1; i < d; i++) {
      let s = 0;
      for (let k = j; k < i; k++) s -= l[i * d + k] * inv[k * d + j];
      inv[i * d + j] = s / l[i * d + i];
    }
  }
  return inv;
}

export function matmul(a: ArrayLike<number>, b: ArrayLike<number>, d: number): Float64Array {
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let k = 0; k < d; k++) {
      const aik = a[i * d + k];
      for (let j = 0; j < d; j++) out[i * d + j] += aik * b[k * d + j];
    }
  return out;
}

export function trace(a: ArrayLike<number>, d: number): number {
  let s = 0;
  for (let i = 0; i < d; i++) s += a[i * d + i];
  return s;
}

/**
 * Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations: returns eigenvalues and the
 * eigenvectors as the columns of `vectors`. Accurate to machine precision; fine for d ≤ ~50.
 */
export function symmetricEigen(a: ArrayLike<number>, d: number): { values: Float64Array; vectors: Float64Array } {
  const m = Float64Array.from(a as ArrayLike<number>);
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += m[p * d + q] * m[p * d + q];
    if (off < 1e-30) break;
    for (let p = 0; p < d; p++)
      for (let q = p + 1; q < d; q++) {
        const apq = m[p * d + q];
        if (apq === 0) continue;
        const theta = (m[q * d + q] - m[p * d + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < d; k++) {
          const mkp = m[k * d + p];
          const mkq = m[k * d + q];
          m[k * d + p] = c * mkp - s * mkq;
          m[k * d + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < d; k++) {
          const mpk = m[p * d + k];
          const mqk = m[q * d + k];
          m[p * d + k] = c * mpk - s * mqk;
          m[q * d + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < d; k++) {
          const vkp = v[k * d + p];
          const vkq = v[k * d + q];
          v[k * d + p] = c * vkp - s * vkq;
          v[k * d + q] = s * vkp + c * vkq;
        }
      }
  }
  const values = new Float64Array(d);
  for (let i = 0; i < d; i++) values[i] = m[i * d + i];
  return { values, vectors: v };
}

/** Principal square root of a symmetric positive semi-definite matrix (negative round-off eigenvalues → 0). */
export function sqrtPsd(a: ArrayLike<number>, d: number): Float64Array {
  const { values, vectors } = symmetricEigen(a, d);
  const out = new Float64Array(d * d);
  for (let k = 0; k < d; k++) {
    const s = Math.sqrt(Math.max(values[k], 0));
    for (let i = 0; i < d; i++) {
      const vik = vectors[i * d + k] * s;
      for (let j = 0; j < d; j++) out[i * d + j] += vik * vectors[j * d + k];
    }
  }
  return out;
}
