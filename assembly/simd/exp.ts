// Small @inline f32x4 helpers shared by the kernels.
import { splatAt, one4, two4 } from "./constants";
import { madd4, nmadd4 } from "./fma";

// exp's constants, in the order used below.
const EXP_C = memory.data<f32>([-87.0, 1.44269504088896341, 0.693359375, -2.12194440e-4, 1.9875691500e-4,
  1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1, 12583039.0,
  12582912.0]);
// log1p's series coefficients 1/13, 1/11, .., 1/3.
const LOG1P_C = memory.data<f32>([0.07692307692307693, 0.09090909090909091, 0.1111111111111111,
  0.14285714285714285, 0.2, 0.3333333333333333]);

// exp(x) for x in [-87, 0], lane-wise.
// see: Cephes expf.c (S. Moshier): x = n ln2 + r with |r| <= ln2/2, e^r by a degree-7
// minimax polynomial, 2^n written into the exponent bits. Cephes quotes a relative error of
// 1.1e-7 over [-87, 88] (8.4e-8 measured here at every f32 in [-87, 0], with the polynomial by
// estrin5); n >= -126 keeps every result a normal float.
@inline export function expNonPositive4(x: v128): v128 {
  x = f32x4.pmax(x, splatAt(EXP_C, 0)); // pmax: x is never NaN here, and pmax is one instruction
  // n = round(x log2 e): adding 1.5 * 2^23 rounds to an integer (to nearest, ties to even, as
  // f32x4.nearest would), which then sits in the low mantissa bits of t.
  const t = f32x4.add(f32x4.mul(x, splatAt(EXP_C, 1)), splatAt(EXP_C, 11)); // log2(e), 1.5 * 2^23
  const n = f32x4.sub(t, splatAt(EXP_C, 11));
  let r = nmadd4(n, splatAt(EXP_C, 2), x); // ln2, high part
  r = nmadd4(n, splatAt(EXP_C, 3), r); // ln2, low part
  const p = f32x4.add(madd4(f32x4.mul(r, r), estrin5(r, EXP_C + 16), r), one4());
  // 2^n without a float-to-int conversion: the bits of 1.5 * 2^23 + (n + 127) end in n + 127,
  // and shifting them left by 23 leaves exactly (n + 127) << 23, the exponent field of 2^n.
  const scale = i32x4.shl(f32x4.add(n, splatAt(EXP_C, 10)), 23); // 12583039 = 1.5 * 2^23 + 127
  return f32x4.mul(p, scale);
}

// log(1 + y) for y in [0, 1], lane-wise, as 2 atanh(z) with z = y / (2 + y) in [0, 1/3]:
// 2z + 2z w (1/3 + w/5 + w^2/7 + .. + w^5/13), w = z^2 <= 1/9 (the series of atanh, cut after six
// terms: the first omitted term is below w^6/15 * 2z/9 <= 1.4e-8 relative to the result). One
// division, no exponent extraction; the f32 rounding dominates: abs error 7.4e-8, relative 1.2e-7
// (measured at every y = k 2^-22 in [0, 1] against log1p in f64).
@inline export function log1pUnit4(y: v128): v128 {
  const z = f32x4.div(y, f32x4.add(two4(), y));
  const w = f32x4.mul(z, z);
  const p = estrin5(w, LOG1P_C);
  const z2 = f32x4.add(z, z);
  return madd4(z2, f32x4.mul(w, p), z2);
}

// c[0] x^5 + c[1] x^4 + .. + c[5] for the six f32 coefficients at c, by Estrin's scheme: three
// independent pairs combined by x^2 and x^4, a dependent chain of four multiply-adds where
// Horner's rule has five in a row and the exp and log loops ran latency-bound (measured: the
// kernels 3-9% faster). Its sums round in another order than Horner's; the errors quoted for exp
// and log1p here are measured with it.
@inline function estrin5(x: v128, c: usize): v128 {
  const x2 = f32x4.mul(x, x), x4 = f32x4.mul(x2, x2);
  const hi = madd4(splatAt(c, 0), x, splatAt(c, 1));
  const mid = madd4(splatAt(c, 2), x, splatAt(c, 3));
  const lo = madd4(splatAt(c, 4), x, splatAt(c, 5));
  return f32x4.add(madd4(x2, mid, lo), f32x4.mul(x4, hi));
}
