// a * b + c and c - a * b, lane-wise: one fused multiply-add in the relaxed-SIMD build (where the
// runtime fuses: one rounding instead of two, so results differ from the plain build in the last
// bits), a multiply and an add in the plain build, which every runtime computes bit for bit alike.
@inline export function madd4(a: v128, b: v128, c: v128): v128 {
  return ASC_FEATURE_RELAXED_SIMD ? f32x4.relaxed_madd(a, b, c) : f32x4.add(f32x4.mul(a, b), c);
}
@inline export function nmadd4(a: v128, b: v128, c: v128): v128 {
  return ASC_FEATURE_RELAXED_SIMD ? f32x4.relaxed_nmadd(a, b, c) : f32x4.sub(c, f32x4.mul(a, b));
}
