// The SIMD peak the kernel micro-benchmarks are compared with: `iters` rounds of
// acc[i] = acc[i] * m + c on independent f32x4 accumulators, no memory traffic.
// Each round is one f32x4.mul and one f32x4.add per accumulator: 8 flops per accumulator.
// With |m| < 1 the chains converge to c / (1 - m), so no lane overflows or goes subnormal.
// The accumulators' sum is returned so that nothing is dead code; m and c are arguments so
// that nothing folds. Built by bench/kernels.js with --enable simd -O3 --runtime stub.

// 8 accumulators: 8 x 4 x 2 = 64 flops per round.
export function peak_mul_add_8(iters: i32, m: f32, c: f32): f32 {
  const mv = f32x4.splat(m), cv = f32x4.splat(c);
  let a0 = f32x4.splat(0.0), a1 = f32x4.splat(0.1), a2 = f32x4.splat(0.2), a3 = f32x4.splat(0.3);
  let a4 = f32x4.splat(0.4), a5 = f32x4.splat(0.5), a6 = f32x4.splat(0.6), a7 = f32x4.splat(0.7);
  for (let i = 0; i < iters; i++) {
    a0 = f32x4.add(f32x4.mul(a0, mv), cv);
    a1 = f32x4.add(f32x4.mul(a1, mv), cv);
    a2 = f32x4.add(f32x4.mul(a2, mv), cv);
    a3 = f32x4.add(f32x4.mul(a3, mv), cv);
    a4 = f32x4.add(f32x4.mul(a4, mv), cv);
    a5 = f32x4.add(f32x4.mul(a5, mv), cv);
    a6 = f32x4.add(f32x4.mul(a6, mv), cv);
    a7 = f32x4.add(f32x4.mul(a7, mv), cv);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}

// 12 accumulators: 12 x 4 x 2 = 96 flops per round (more chains in flight, still within the
// 16 xmm registers of x86-64 with m and c).
export function peak_mul_add_12(iters: i32, m: f32, c: f32): f32 {
  const mv = f32x4.splat(m), cv = f32x4.splat(c);
  let a0 = f32x4.splat(0.0), a1 = f32x4.splat(0.1), a2 = f32x4.splat(0.2), a3 = f32x4.splat(0.3);
  let a4 = f32x4.splat(0.4), a5 = f32x4.splat(0.5), a6 = f32x4.splat(0.6), a7 = f32x4.splat(0.7);
  let a8 = f32x4.splat(0.8), a9 = f32x4.splat(0.9), a10 = f32x4.splat(1.0), a11 = f32x4.splat(1.1);
  for (let i = 0; i < iters; i++) {
    a0 = f32x4.add(f32x4.mul(a0, mv), cv);
    a1 = f32x4.add(f32x4.mul(a1, mv), cv);
    a2 = f32x4.add(f32x4.mul(a2, mv), cv);
    a3 = f32x4.add(f32x4.mul(a3, mv), cv);
    a4 = f32x4.add(f32x4.mul(a4, mv), cv);
    a5 = f32x4.add(f32x4.mul(a5, mv), cv);
    a6 = f32x4.add(f32x4.mul(a6, mv), cv);
    a7 = f32x4.add(f32x4.mul(a7, mv), cv);
    a8 = f32x4.add(f32x4.mul(a8, mv), cv);
    a9 = f32x4.add(f32x4.mul(a9, mv), cv);
    a10 = f32x4.add(f32x4.mul(a10, mv), cv);
    a11 = f32x4.add(f32x4.mul(a11, mv), cv);
  }
  const s = f32x4.add(
    f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7))),
    f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11)));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}
