// Small @inline f32x4 helpers shared by the kernels.

// exp(x) for x in [-87, 0], lane-wise.
// see: Cephes expf.c (S. Moshier): x = n ln2 + r with |r| <= ln2/2, e^r by a degree-7
// minimax polynomial, 2^n written into the exponent bits. Cephes quotes a relative error of
// 1.1e-7 over [-87, 88]; n >= -126 here keeps every result a normal float.
@inline export function expNonPositive4(x: v128): v128 {
  x = f32x4.pmax(x, f32x4.splat(-87.0)); // pmax: x is never NaN here, and pmax is one instruction
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504088896341))); // log2(e)
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375))); // ln2, high part
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4))); // ln2, low part
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1.0));
  // 2^n without a float-to-int conversion: the bits of 1.5 * 2^23 + (n + 127) end in n + 127,
  // and shifting them left by 23 leaves exactly (n + 127) << 23, the exponent field of 2^n.
  const scale = i32x4.shl(f32x4.add(n, f32x4.splat(12583039.0)), 23); // 12583039 = 1.5 * 2^23 + 127
  return f32x4.mul(p, scale);
}

// log(1 + y) for y in [0, 1], lane-wise, given u = fl(1 + y) and inv = 1/u.
// see: Cephes logf.c (S. Moshier) for log(u), u in [1, 2]: u = m 2^e with m in [sqrt(1/2), sqrt(2));
// Cephes quotes a relative error of 7.6e-8. The rounding of 1 + y is put back to first order,
// log1p(y) = log(u) + (y - (u - 1)) / u (the error of u is below 2^-24, its square negligible),
// which also gives log1p(y) = y where u rounds to 1.
@inline export function log1pUnit4(y: v128, u: v128, inv: v128): v128 {
  const one = f32x4.splat(1.0);
  const big = f32x4.gt(u, f32x4.splat(1.41421356237)); // sqrt(2)
  const m = v128.bitselect(f32x4.mul(u, f32x4.splat(0.5)), u, big);
  const e = v128.and(big, f32x4.splat(1.0)); // 1.0 where u was halved, else 0.0
  const x = f32x4.sub(m, one);
  const x2 = f32x4.mul(x, x);
  let z = f32x4.splat(7.0376836292e-2);
  z = f32x4.add(f32x4.mul(z, x), f32x4.splat(-1.1514610310e-1));
  z = f32x4.add(f32x4.mul(z, x), f32x4.splat(1.1676998740e-1));
  z = f32x4.add(f32x4.mul(z, x), f32x4.splat(-1.2420140846e-1));
  z = f32x4.add(f32x4.mul(z, x), f32x4.splat(1.4249322787e-1));
  z = f32x4.add(f32x4.mul(z, x), f32x4.splat(-1.6668057665e-1));
  z = f32x4.add(f32x4.mul(z, x), f32x4.splat(2.0000714765e-1));
  z = f32x4.add(f32x4.mul(z, x), f32x4.splat(-2.4999993993e-1));
  z = f32x4.add(f32x4.mul(z, x), f32x4.splat(3.3333331174e-1));
  z = f32x4.mul(f32x4.mul(z, x), x2);
  z = f32x4.add(z, f32x4.mul(e, f32x4.splat(-2.12194440e-4))); // ln2, low part
  z = f32x4.sub(z, f32x4.mul(x2, f32x4.splat(0.5)));
  let logU = f32x4.add(x, z);
  logU = f32x4.add(logU, f32x4.mul(e, f32x4.splat(0.693359375))); // ln2, high part
  return f32x4.add(logU, f32x4.mul(f32x4.sub(y, f32x4.sub(u, one)), inv));
}
