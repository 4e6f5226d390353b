// Small @inline f32x4 helpers shared by the kernels.
import { splatAt, one4, two4 } from "./constants";
import { madd4, nmadd4 } from "./fma";

// exp's constants, in the order used below.
const EXP_C = memory.data<f32>([-87.0, 1.44269504088896341, 0.693359375, -2.12194440e-4, 1.9875691500e-4,
  1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1, 12583039.0]);
// log1p's series coefficients 1/13, 1/11, .., 1/3.
const LOG1P_C = memory.data<f32>([0.07692307692307693, 0.09090909090909091, 0.1111111111111111,
  0.14285714285714285, 0.2, 0.3333333333333333]);

// exp(x) for x in [-87, 0], lane-wise.
// see: Cephes expf.c (S. Moshier): x = n ln2 + r with |r| <= ln2/2, e^r by a degree-7
// minimax polynomial, 2^n written into the exponent bits. Cephes quotes a relative error of
// 1.1e-7 over [-87, 88]; n >= -126 here keeps every result a normal float.
@inline export function expNonPositive4(x: v128): v128 {
  x = f32x4.pmax(x, splatAt(EXP_C, 0)); // pmax: x is never NaN here, and pmax is one instruction
  const n = f32x4.nearest(f32x4.mul(x, splatAt(EXP_C, 1))); // log2(e)
  let r = nmadd4(n, splatAt(EXP_C, 2), x); // ln2, high part
  r = nmadd4(n, splatAt(EXP_C, 3), r); // ln2, low part
  let p = splatAt(EXP_C, 4);
  p = madd4(p, r, splatAt(EXP_C, 5));
  p = madd4(p, r, splatAt(EXP_C, 6));
  p = madd4(p, r, splatAt(EXP_C, 7));
  p = madd4(p, r, splatAt(EXP_C, 8));
  p = madd4(p, r, splatAt(EXP_C, 9));
  p = f32x4.add(madd4(f32x4.mul(p, r), r, r), one4());
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
  let p = splatAt(LOG1P_C, 0);
  p = madd4(p, w, splatAt(LOG1P_C, 1));
  p = madd4(p, w, splatAt(LOG1P_C, 2));
  p = madd4(p, w, splatAt(LOG1P_C, 3));
  p = madd4(p, w, splatAt(LOG1P_C, 4));
  p = madd4(p, w, splatAt(LOG1P_C, 5));
  const z2 = f32x4.add(z, z);
  return madd4(z2, f32x4.mul(w, p), z2);
}
