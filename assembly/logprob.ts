import { exp_neg_abs } from "./logistic";
import { softplusMax4, accumulate4, sumLanes2 } from "./simd/logistic";
import { log1pUnit4 } from "./simd/exp";
import { one4 } from "./simd/constants";
import { loadUpTo4 } from "./simd/tail";

// Log-probabilities of binary states under logistic units. Each term -log P(s | a) is the stable
// softplus form max(x, 0) + log1p(e^-|a|), x = a (1 - 2 s): the first parts are summed in f64,
// the second by log1p_sum, one logarithm per lane for up to 67 units instead of one per unit.
//
// Abs error per term below 1.8e-7 (spec-tested), from: e^-|a| (1.1e-7 relative: 4.2e-8 in
// log1p(e) <= e / (1 + e) of that), the rounding of 1 + e and of each product (2^-24 relative
// each: 1.2e-7 in the log), and the one log1p per lane and block (7.4e-8, shared by its terms;
// a whole term's when the block has one). The sums are in f64.

// Factors per lane of each product: 64 in [1, 2] stay below 2^64, far inside the f32 range.
const FACTORS = 64;

// sum_i log1p(e[i]), i < n, for e[i] in [0, 1] (f32, 16-byte aligned; n >= 0). Blocks of 16 x
// FACTORS units: four f32x4 products of the factors 1 + e[i] (the last block's tail of up to three
// vectors on the first product: at most FACTORS + 3 factors in a lane), then per lane log x = k ln 2
// + log1p(m - 1) for x = 2^k m, m in [1, 2), k exact in f64.
export function log1p_sum(e: usize, n: i32): f64 {
  let acc = f64x2.splat(0.0), i = 0;
  while (i < n) {
    const end = min(i + 16 * FACTORS, n), one = one4();
    let p0 = one, p1 = one, p2 = one, p3 = one;
    for (; i + 16 <= end; i += 16) {
      const o = e + (<usize>i << 2);
      p0 = f32x4.mul(p0, f32x4.add(one, v128.load(o)));
      p1 = f32x4.mul(p1, f32x4.add(one, v128.load(o, 16)));
      p2 = f32x4.mul(p2, f32x4.add(one, v128.load(o, 32)));
      p3 = f32x4.mul(p3, f32x4.add(one, v128.load(o, 48)));
    }
    for (; i < end; i += 4) {
      const o = e + (<usize>i << 2), rem = end - i;
      p0 = f32x4.mul(p0, f32x4.add(one, loadUpTo4(o, rem)));
    }
    acc = addLogs4(addLogs4(addLogs4(addLogs4(acc, p0), p1), p2), p3);
  }
  return sumLanes2(acc);
}

const LN2: f64 = 0.6931471805599453;

// acc (f64x2) += the natural logs of the four lanes of x, each in [1, 2^127).
@inline function addLogs4(acc: v128, x: v128): v128 {
  const k = i32x4.sub(i32x4.shr_u(x, 23), i32x4.splat(127));
  const m = v128.or(v128.and(x, i32x4.splat(0x7FFFFF)), one4());
  const logM = log1pUnit4(f32x4.sub(m, one4()));
  const kHigh = i32x4.shuffle(k, k, 2, 3, 0, 1), logMHigh = i32x4.shuffle(logM, logM, 2, 3, 0, 1);
  const ln2 = f64x2.splat(LN2);
  acc = f64x2.add(acc, f64x2.add(f64x2.mul(f64x2.convert_low_i32x4_s(k), ln2), f64x2.promote_low_f32x4(logM)));
  return f64x2.add(acc, f64x2.add(f64x2.mul(f64x2.convert_low_i32x4_s(kHigh), ln2), f64x2.promote_low_f32x4(logMHigh)));
}

// sum_i log P(s[i] | sigma(a[i])) in nats, i < n: the log-probability of binary states s
// (f32 0.0/1.0) under a layer of logistic units with activations a (f32), finite for every finite
// a. scratch: f32 (n), overwritten with e^-|a|, which comes first in a loop of its own (see
// logistic_delta in update.ts).
export function log_bernoulli_sum(a: usize, s: usize, n: i32, scratch: usize): f64 {
  exp_neg_abs(a, scratch, n);
  let acc0 = f64x2.splat(0.0), acc1 = f64x2.splat(0.0), i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    acc0 = accumulate4(acc0, softplusMax4(v128.load(a + o), v128.load(s + o)));
    acc1 = accumulate4(acc1, softplusMax4(v128.load(a + o, 16), v128.load(s + o, 16)));
  }
  for (; i < n; i += 4) {
    const o = <usize>i << 2, rem = n - i;
    // Lanes past n load as a = 0, s = 0: max(0, 0) adds nothing.
    const av = loadUpTo4(a + o, rem), sv = loadUpTo4(s + o, rem);
    acc0 = accumulate4(acc0, softplusMax4(av, sv));
  }
  return -(sumLanes2(f64x2.add(acc0, acc1)) + log1p_sum(scratch, n));
}
