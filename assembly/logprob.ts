import { exp_neg_abs } from "./logistic";
import { logBernoulliFromExp4, accumulate4, sumLanes2 } from "./simd/logistic";
import { loadTail4, tailMask4 } from "./simd/tail";

// sum_i log P(s[i] | sigma(a[i])) in nats, i < n: the log-probability of binary states s
// (f32 0.0/1.0) under a layer of logistic units with activations a (f32), summed in f64.
// Each term is the stable form -(max(x, 0) + log1p(e^-|a|)), x = a (1 - 2 s): finite for every
// finite a; abs error per term below 4.8e-7, half an f32 ulp of terms in (-16, -8] (spec-tested).
// scratch: f32 (n), overwritten with e^-|a|, which comes first in a loop of its own (see
// logistic_delta in update.ts).
export function log_bernoulli_sum(a: usize, s: usize, n: i32, scratch: usize): f64 {
  exp_neg_abs(a, scratch, n);
  let acc = f64x2.splat(0.0), i = 0;
  // Eight units per turn while they last (two independent polynomial chains), summed in order.
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    const lp0 = logBernoulliFromExp4(v128.load(a + o), v128.load(s + o), v128.load(scratch + o));
    const lp1 = logBernoulliFromExp4(v128.load(a + o, 16), v128.load(s + o, 16), v128.load(scratch + o, 16));
    acc = accumulate4(accumulate4(acc, lp0), lp1);
  }
  for (; i < n; i += 4) {
    const o = <usize>i << 2, rem = n - i;
    const av = rem >= 4 ? v128.load(a + o) : loadTail4(a + o, rem);
    const sv = rem >= 4 ? v128.load(s + o) : loadTail4(s + o, rem);
    let lp = logBernoulliFromExp4(av, sv, rem >= 4 ? v128.load(scratch + o) : loadTail4(scratch + o, rem));
    if (rem < 4) lp = v128.and(lp, tailMask4(rem));
    acc = accumulate4(acc, lp);
  }
  return sumLanes2(acc);
}
