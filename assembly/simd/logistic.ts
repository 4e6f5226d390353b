import { expNonPositive4 } from "./exp";
import { one4, signBit4 } from "./constants";

// e^-|a|, the one exponential from which both the logistic and its logarithms follow.
@inline export function expNegAbs4(a: v128): v128 {
  return expNonPositive4(v128.or(a, signBit4())); // -|a|: the sign bit set
}

// 1 / (1 + e): the one division per unit, shared by the logistic and its logarithm.
@inline export function invOnePlus4(e: v128): v128 {
  const one = one4();
  return f32x4.div(one, f32x4.add(one, e));
}

// sigma(a) = 1 / (1 + e^-a) from e = e^-|a| and inv = 1/(1+e): inv for a >= 0, e inv for a < 0,
// so neither tail loses precision. Exact maths above is 1.1e-7 relative in e.
@inline export function logisticFromExp4(a: v128, e: v128, inv: v128): v128 {
  const neg = f32x4.lt(a, f32x4.splat(0.0));
  return v128.bitselect(f32x4.mul(e, inv), inv, neg);
}

@inline export function logistic4(a: v128): v128 {
  const e = expNegAbs4(a);
  return logisticFromExp4(a, e, invOnePlus4(e));
}

// -log P(s | a) = max(x, 0) + log1p(e^-|a|) with x = a (1 - 2 s), for s in {0.0, 1.0} (the stable
// softplus form). This is its first part, max(x, 0); the kernels sum the log1p parts apart
// (log1p_sum in logprob.ts). x is a with its sign flipped where s = 1: the bits of 1.0 shifted
// left by 8 are the sign bit alone (0x3F800000 << 8 = 0x80000000), those of 0.0 stay 0.
@inline export function softplusMax4(a: v128, s: v128): v128 {
  return f32x4.pmax(v128.xor(a, i32x4.shl(s, 8)), f32x4.splat(0.0));
}

// acc (f64x2) += the four f32 lanes of v.
@inline export function accumulate4(acc: v128, v: v128): v128 {
  acc = f64x2.add(acc, f64x2.promote_low_f32x4(v));
  return f64x2.add(acc, f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
}

@inline export function sumLanes2(acc: v128): f64 {
  return f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
}
