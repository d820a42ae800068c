// The WebAssembly micro-kernel of the issue's survey table ("WebAssembly SIMD128 (AssemblyScript), 5x8 register
// tile, mul+add": 42 GFLOP/s on its AVX-512 machine), as this engine first shipped it: ten f32x4 accumulators,
// A broadcast by load32_splat. bench/engine compiles it with asc and times it beside the engine's own kernel, so
// "the ceiling measured above" is re-measured on the machine at hand. Not part of the package.

function micro(kc: i32, ap: usize, bp: usize, c: usize, ldc: i32): void {
  let c00 = f32x4.splat(0);
  let c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0);
  let c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0);
  let c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0);
  let c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0);
  let c41 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let av = v128.load32_splat(ap);
    c00 = f32x4.add(c00, f32x4.mul(av, b0));
    c01 = f32x4.add(c01, f32x4.mul(av, b1));
    av = v128.load32_splat(ap, 4);
    c10 = f32x4.add(c10, f32x4.mul(av, b0));
    c11 = f32x4.add(c11, f32x4.mul(av, b1));
    av = v128.load32_splat(ap, 8);
    c20 = f32x4.add(c20, f32x4.mul(av, b0));
    c21 = f32x4.add(c21, f32x4.mul(av, b1));
    av = v128.load32_splat(ap, 12);
    c30 = f32x4.add(c30, f32x4.mul(av, b0));
    c31 = f32x4.add(c31, f32x4.mul(av, b1));
    av = v128.load32_splat(ap, 16);
    c40 = f32x4.add(c40, f32x4.mul(av, b0));
    c41 = f32x4.add(c41, f32x4.mul(av, b1));
    ap += 20;
    bp += 32;
  }
  const step = <usize>(ldc << 2);
  let r = c;
  v128.store(r, f32x4.add(v128.load(r), c00));
  v128.store(r, f32x4.add(v128.load(r, 16), c01), 16);
  r += step;
  v128.store(r, f32x4.add(v128.load(r), c10));
  v128.store(r, f32x4.add(v128.load(r, 16), c11), 16);
  r += step;
  v128.store(r, f32x4.add(v128.load(r), c20));
  v128.store(r, f32x4.add(v128.load(r, 16), c21), 16);
  r += step;
  v128.store(r, f32x4.add(v128.load(r), c30));
  v128.store(r, f32x4.add(v128.load(r, 16), c31), 16);
  r += step;
  v128.store(r, f32x4.add(v128.load(r), c40));
  v128.store(r, f32x4.add(v128.load(r, 16), c41), 16);
}

/** `reps` calls on one kc-deep pair of packed slivers at byte 0 (A: kc x 5, B: kc x 8) into a 5 x 8 tile. */
export function microKernelLoop(reps: i32, kc: i32): void {
  const ap: usize = 0;
  const bp: usize = <usize>(kc * 5 * 4);
  const c: usize = bp + <usize>(kc * 8 * 4);
  for (let r = 0; r < reps; r++) micro(kc, ap, bp, c, 8);
}
