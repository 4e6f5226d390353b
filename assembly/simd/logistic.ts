import { expNonPositive4, log1pUnit4 } from "./exp";
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

// log P(s | a) = log sigma(a) if s = 1, log(1 - sigma(a)) if s = 0, for s in {0.0, 1.0}:
// -(max(x, 0) + log1p(e^-|a|)) with x = a (1 - 2 s); the stable log-sigmoid form.
@inline export function logBernoulliFromExp4(a: v128, s: v128, e: v128): v128 {
  const x = f32x4.mul(a, f32x4.sub(one4(), f32x4.add(s, s)));
  const log1pE = log1pUnit4(e);
  return v128.xor(signBit4(), f32x4.add(f32x4.pmax(x, f32x4.splat(0.0)), log1pE));
}

// acc (f64x2) += the four f32 lanes of v.
@inline export function accumulate4(acc: v128, v: v128): v128 {
  acc = f64x2.add(acc, f64x2.promote_low_f32x4(v));
  return f64x2.add(acc, f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
}

@inline export function sumLanes2(acc: v128): f64 {
  return f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
}
