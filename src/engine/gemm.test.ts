import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gemmCall } from './backend.js';
import { gemmOne } from './js-backend.js';
import { loadNativeBackend } from './native-backend.js';
import { EngineRandom } from './random.js';
import { backendCases } from './test-helpers/backends.js';

// Shapes straddle every kernel's register tile (4x8, 6x16, 12x32) and cache blocks (96/128 rows,
// 256 columns, depth 256), so edge slivers and multi-block depth are both covered.
const SHAPES: Array<[number, number, number]> = [
  [1, 1, 1],
  [7, 13, 5],
  [13, 33, 17],
  [97, 70, 300],
  [130, 260, 40],
  [6, 2100, 3], // wider than one 2048-column B panel
];

function check(backend: NonNullable<ReturnType<typeof backendCases>[number]['backend']>, seed: number): void {
  const rng = new EngineRandom(seed);
  for (const [m, n, k] of SHAPES) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        // Even m: one product (threads split its row blocks); odd m: three (threads take whole products).
        const batch = m % 2 === 0 ? 1 : 3;
        const lda = (transA ? m : k) + 2; // padded rows: leading dimensions are honoured
        const ldb = (transB ? k : n) + 1;
        const ldc = n + 3;
        const aRows = transA ? k : m;
        const bRows = transB ? n : k;
        const strideA = aRows * lda;
        const strideB = bRows * ldb;
        const strideC = m * ldc;
        const a = backend.alloc(strideA * batch + 1);
        const b = backend.alloc(strideB * batch + 1);
        const c = backend.alloc(strideC * batch + 1);
        rng.fillUniform(a, -1, 1);
        rng.fillUniform(b, -1, 1);
        rng.fillUniform(c, -1, 1);
        const beta = m === 1 ? 0 : 0.5;
        const call = gemmCall({
          transA,
          transB,
          m,
          n,
          k,
          alpha: 1.5,
          a,
          aOffset: 1,
          lda,
          b,
          bOffset: 1,
          ldb,
          beta,
          c,
          cOffset: 1,
          ldc,
          batch,
          strideA,
          strideB,
          strideC,
        });
        const expected = Float32Array.from(c);
        const ref = { ...call, c: expected };
        for (let p = 0; p < batch; p++) gemmOne(ref, p);
        backend.gemm(call);
        let worst = 0;
        for (let i = 0; i < c.length; i++) worst = Math.max(worst, Math.abs(c[i] - expected[i]));
        // float32 accumulation error grows like sqrt(k) * 2^-24 * |terms|; 1e-4 * k is far above that but far
        // below any indexing mistake (which is O(1)).
        expect(worst, `${backend.description} m=${m} n=${n} k=${k} tA=${transA} tB=${transB}`).toBeLessThan(
          2e-5 * (k + 10),
        );
        // Padding between rows must be untouched.
        expect(c[0]).toBe(expected[0]);
        backend.free(a);
        backend.free(b);
        backend.free(c);
      }
    }
  }
}

describe.each(backendCases())('GEMM on the $name backend', (bc) => {
  it.skipIf(!bc.backend)('computes a hand-checked product with transposes and accumulation', () => {
    const be = bc.backend!;
    const a = be.alloc(6); // A = [[1, 2, 3], [4, 5, 6]]
    a.set([1, 2, 3, 4, 5, 6]);
    const b = be.alloc(6); // B^T stored: B = [[1, 0], [0, 1], [1, 1]]
    b.set([1, 0, 1, 0, 1, 1]);
    const c = be.alloc(4);
    c.set([10, 20, 30, 40]);
    // C = 2 * A @ B + 1 * C = 2 * [[4, 5], [10, 11]] + C
    be.gemm(gemmCall({ transB: true, m: 2, n: 2, k: 3, alpha: 2, a, b, c, beta: 1 }));
    expect(Array.from(c)).toEqual([18, 30, 50, 62]);
    // C = A^T @ A (3x3): A stored 2x3, read transposed
    const d = be.alloc(9);
    be.gemm(gemmCall({ transA: true, m: 3, n: 3, k: 2, a, b: a, c: d }));
    expect(Array.from(d)).toEqual([17, 22, 27, 22, 29, 36, 27, 36, 45]);
  });

  it.skipIf(!bc.backend)('with beta = 0 overwrites C without reading it (NaN in C does not leak)', () => {
    const be = bc.backend!;
    for (const [m, n] of [
      [4, 8], // one full register tile
      [3, 5], // an edge tile
    ]) {
      const a = be.alloc(m * 2);
      a.fill(1);
      const b = be.alloc(2 * n);
      b.fill(2);
      const c = be.alloc(m * n);
      c.fill(Number.NaN);
      be.gemm(gemmCall({ m, n, k: 2, a, b, c, beta: 0 }));
      expect(Array.from(c)).toEqual(new Array(m * n).fill(4));
    }
  });

  it.skipIf(!bc.backend || bc.name === 'js')(
    'matches the float64 reference for every transpose, stride and edge size',
    () => {
      check(bc.backend!, 1);
    },
  );
});

describe('native GEMM micro-kernels', () => {
  let native: ReturnType<typeof loadNativeBackend> | null = null;
  try {
    native = loadNativeBackend(3);
  } catch {
    native = null;
  }
  for (const isa of ['portable', 'avx2', 'avx512'] as const) {
    it.skipIf(!native)(`${isa} kernel (where this CPU has it) matches the reference with 3 threads`, () => {
      const supported = native!.selectIsa(isa);
      // The dispatch must refuse an ISA this CPU lacks (Linux reports the flags; elsewhere trust the addon).
      const flags = cpuFlags();
      if (flags && isa !== 'portable') {
        const has = isa === 'avx2' ? flags.has('avx2') && flags.has('fma') : flags.has('avx512f');
        expect(supported).toBe(has && process.arch === 'x64');
      }
      if (!supported) return;
      try {
        check(native!, 2);
      } finally {
        native!.selectIsa('auto');
      }
    });
  }
});

function cpuFlags(): Set<string> | null {
  try {
    const line = fs
      .readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('flags'));
    return line ? new Set(line.split(':')[1].trim().split(/\s+/)) : null;
  } catch {
    return null;
  }
}
